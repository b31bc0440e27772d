"""`research summary` prints a study's finalists from its research.json, as the README publishes them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from adapters.research.lab_markdown import summary_markdown
from bootstrap.__main__ import build_parser
from bootstrap.commands.research import run
from bootstrap.settings_model import Settings

CANDIDATE = {
    "trial": 793, "count": 1324, "mean_net_pct": 0.041951, "clustered_by": "week",
    "clustered": {"ci_low_pct": -0.099075, "ci_high_pct": 0.182977},
    "excess_over_drift": {"mean_pct": 0.299667, "ci_low_pct": 0.132325, "ci_high_pct": 0.467008},
    "without_best_5_days": {"mean_pct": 0.004707}, "deflated_sharpe": 0.008496,
    "min_detectable_effect_pct": 0.200664, "break_even_round_trip_pct": 0.211951,
    "priced_round_trip_pct": 0.17, "paying_tier": "regular + BNB",
    "real_loop": {"core_trades": 1324, "identical_trades": 1323},
}
PAYLOAD = {"study_name": "tiny", "data": "4 pairs", "written": "2026-12-03T22:46:36+00:00",
           "verdict": "NO EDGE: the best of 1001 trials fails", "trials": {"complete": 102, "pruned": 899},
           "study": {"trials_counted": 1001, "pbo": 0.558664, "pbo_blocks": 16, "pbo_splits": 12870},
           "candidates": [CANDIDATE, {"trial": 5, "count": 12, "mean_net_pct": -0.5}]}


def test_each_finalist_is_one_row_with_its_trust_figures() -> None:
    rows = [line for line in summary_markdown(PAYLOAD).splitlines() if line.startswith("| ")]
    assert rows[0].startswith("| trial | trades | mean net / trade | weekly 95% CI")
    assert rows[1].startswith("| --- |")
    rows = rows[1:]
    assert rows[1] == ("| 793 | 1,324 | +0.042% | -0.099 .. +0.183% | +0.300% (+0.132 .. +0.467%) | +0.005% "
                       "| 0.0085 | 1323 of 1324 identical |")
    # a finalist judged without every figure says n/a rather than inventing one
    assert rows[2] == "| 5 | 12 | -0.500% | n/a | n/a | n/a | n/a | not replayed |"


def test_the_study_line_counts_every_trial_and_gives_pbo_and_break_even() -> None:
    text = summary_markdown(PAYLOAD)
    assert "1,001 trials (102 complete, 899 pruned); PBO 0.56 (CSCV, 16 blocks, 12,870 splits)" in text
    assert "break-even round trip 0.212% against 0.170% paid (paying tier: regular + BNB)" in text
    assert text.rstrip().endswith("Verdict: NO EDGE: the best of 1001 trials fails")


def summary(tmp_path: Path, report: str | None) -> int:
    spec, lab = tmp_path / "tiny.yaml", tmp_path / "lab"
    spec.write_text(yaml.safe_dump({"name": "tiny", "space": {"interval_minutes": [1]}}), encoding="utf-8")
    if report is not None:
        (lab / "tiny").mkdir(parents=True)
        (lab / "tiny" / "research.json").write_text(report, encoding="utf-8")
    argv = ["research", "summary", "--spec", str(spec), "--lab-dir", str(lab)]
    args = build_parser("research").parse_args(argv)
    return run(args, Settings())


def test_the_command_prints_the_table_of_the_stored_report(tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    assert summary(tmp_path, json.dumps(PAYLOAD)) == 0
    assert "| 793 | 1,324 | +0.042%" in capsys.readouterr().out


@pytest.mark.parametrize("report, says", [(None, "no report at"), ("{not json", "is not valid JSON")])
def test_a_missing_or_broken_report_is_one_line_and_exit_3(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                           report: str | None, says: str) -> None:
    assert summary(tmp_path, report) == 3
    err = capsys.readouterr().err
    assert says in err and err.count("\n") == 1
