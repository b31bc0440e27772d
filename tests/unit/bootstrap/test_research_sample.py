"""`research` on the embedded sample, as the README tells a new user to run it: the folder data/sample
(not a file in it), config/research/quick.yaml, a temporary lab. Repo data only: it runs without ../shared.
And without --data, an empty data cache is one line saying how to get data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bootstrap.__main__ import main
from bootstrap.commands.research import EXIT_NO_DATA

TRUST_FIGURES = {"count", "clustered", "deflated_sharpe", "min_detectable_effect_pct", "without_best_5_days",
                 "market_drift_benchmark_mean_pct", "break_even_round_trip_pct", "per_period"}


def test_research_runs_on_the_sample_folder_and_resumes(repo_root: Path, cli_env: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    lab = cli_env / "lab"
    common = ["research", "--spec", str(repo_root / "config/research/quick.yaml"),
              "--data", str(repo_root / "data/sample"), "--lab-dir", str(lab), "--no-progress"]
    assert main([*common, "--trials", "3"]) == 0
    first = json.loads((lab / "quick" / "research.json").read_text(encoding="utf-8"))
    assert sum(first["trials"].values()) == 3
    assert first["data"].startswith("5 pairs, 28,800 1m bars from 1 file(s)")
    assert main([*common, "--trials", "5"]) == 0  # the same study goes on: two more trials
    payload = json.loads((lab / "quick" / "research.json").read_text(encoding="utf-8"))
    assert sum(payload["trials"].values()) == 5 and payload["trials_this_run"] == 2
    assert payload["trial_values"][:3] == first["trial_values"]
    assert len(payload["periods"]) >= 2 and payload["candidates"]
    for candidate in payload["candidates"]:
        assert set(candidate) >= TRUST_FIGURES
    assert (lab / "quick" / "research.html").stat().st_size > 10_000
    out = capsys.readouterr().out
    assert payload["verdict"] in out and "research.html" in out


def test_no_data_and_an_empty_cache_is_one_line(repo_root: Path, cli_env: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    (cli_env / "data_cache" / "columnar").mkdir(parents=True)  # leftovers, no kline
    code = main(["research", "--spec", str(repo_root / "config/research/quick.yaml"), "--lab-dir",
                 str(cli_env / "lab"), "--no-progress"])
    assert code == EXIT_NO_DATA
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 1 and "no --data given" in lines[0] and "data_cache" in lines[0], lines
    assert "--data" in lines[0] and "download" in lines[0]
