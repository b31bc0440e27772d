"""`research` end to end on slices of real klines: a study, its report, resuming, freeze and holdout.

The study data is 8 days of BTC and ETH (2026-03), written once as a CSV; the holdout is the 8 days
after it (never read by the study). Each study is tiny (a few trials of 1m/5m bars, small trees).
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

from bootstrap.__main__ import build_parser
from bootstrap.commands.research import EXIT_BAD_SPEC, EXIT_REFUSED, run
from bootstrap.settings_model import Settings

REPO = Path(__file__).resolve().parents[3]
FIVE_PAIRS = "freqtrade_userdata/binance_spot_1m_2026-03-23_2026-04-22_5pairs.csv.xz"
DAY_MS = 86_400_000
SPEC = {
    "name": "tiny",
    "data": {"gap_hours": 24, "max_days": 2},
    "walk_forward": {"validation_fraction": 0.3, "max_train_rows": 20_000, "embargo_bars": 5,
                     "gate_min_trades": 10},
    "search": {"trials": 3, "seed": 3, "min_trades": 5, "finalists": 2, "startup_trials": 2,
               "heartbeat_seconds": 1},
    "space": {"interval_minutes": [1, 5], "take_profit_pct": {"low": 0.4, "high": 1.2},
              "stop_loss_pct": {"low": 0.4, "high": 1.2}, "hold_minutes": {"low": 15, "high": 60, "step": 15},
              "selection": "top_fraction", "top_fraction": {"low": 0.05, "high": 0.2},
              "n_estimators": 20, "min_child_samples": 100, "features": ["all", "momentum+trend"]},
}


@pytest.fixture(scope="module")
def slices(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    frame = pd.read_csv(shared_data / FIVE_PAIRS)
    frame = frame[frame["symbol"].isin(["BTCUSDT", "ETHUSDT"])]
    start = int(frame["open_time"].min())
    folder = tmp_path_factory.mktemp("klines")
    out = {}
    for name, (a, b) in {"study": (0, 8), "holdout": (8, 14)}.items():
        part = frame[(frame["open_time"] >= start + a * DAY_MS) & (frame["open_time"] < start + b * DAY_MS)]
        out[name] = folder / f"{name}.csv"
        part.to_csv(out[name], index=False)
    return out


def _spec(folder: Path, **search: object) -> Path:
    spec = json.loads(json.dumps(SPEC))
    spec["search"].update(search)
    path = folder / "tiny.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    return path


def _research(*argv: str) -> int:
    return run(build_parser("research").parse_args(["research", *argv, "--no-progress"]), Settings())


def test_a_study_writes_its_report_and_resumes(slices: dict[str, Path], tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    spec, lab = _spec(tmp_path), tmp_path / "lab"
    common = ("--spec", str(spec), "--data", str(slices["study"]), "--lab-dir", str(lab))
    assert _research(*common, "--trials", "2") == 0
    first = json.loads((lab / "tiny" / "research.json").read_text(encoding="utf-8"))
    assert sum(first["trials"].values()) == 2
    assert _research(*common, "--trials", "4") == 0  # the same study goes on: two more trials
    payload = json.loads((lab / "tiny" / "research.json").read_text(encoding="utf-8"))
    assert sum(payload["trials"].values()) == 4 and payload["trials_this_run"] == 2
    assert [t["trial"] for t in payload["trial_values"]] == [0, 1, 2, 3]
    assert payload["trial_values"][:2] == first["trial_values"]
    assert payload["study"]["trials_counted"] == 4
    assert payload["periods"][0].startswith("2026-03-2") and len(payload["periods"]) == 4
    for candidate in payload["candidates"]:
        assert {"clustered", "daily", "sign_flip_p", "block_bootstrap", "min_detectable_effect_pct",
                "per_period", "without_best_5_days", "market_drift_benchmark_mean_pct", "excess_over_drift",
                "deflated_sharpe", "break_even_round_trip_pct", "fee_tiers"} <= set(candidate)
        assert 1 <= len(candidate["per_period"]) <= 3  # 5m bars warm up only in the later periods
        check = candidate["real_loop"]  # scored by the research core, confirmed through the real loop
        assert check["core_trades"] == candidate["count"]
        assert check["confirmed"] and check["agree"], check  # on every bar interval
        assert check["loop_trades"] == check["core_trades"] == check["identical_trades"]
    html = (lab / "tiny" / "research.html").read_text(encoding="utf-8")
    assert "plotly" in html.lower() and "break-even" in html
    assert "NO EDGE" in payload["verdict"] or "PASSES" in payload["verdict"]
    assert payload["verdict"] in capsys.readouterr().out
    registry = json.loads((lab / "registry.json").read_text(encoding="utf-8"))
    assert registry["studies"][0]["study"] == "tiny"
    with sqlite3.connect(lab / "tiny" / "study.sqlite3") as db:  # the study lives in its storage
        assert db.execute("select count(*) from trials").fetchone()[0] == 4


def test_freeze_then_holdout_once_on_unseen_data_only(slices: dict[str, Path], tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    spec, lab = _spec(tmp_path), tmp_path / "lab"
    common = ("--spec", str(spec), "--lab-dir", str(lab))
    assert _research(*common, "holdout", "--data", str(slices["holdout"])) == EXIT_REFUSED  # nothing frozen
    assert _research(*common, "--data", str(slices["study"]), "--trials", "3") == 0
    assert _research("freeze", *common) == 0
    frozen = json.loads((lab / "tiny" / "frozen.json").read_text(encoding="utf-8"))
    assert 1 <= len(frozen["candidates"]) <= 2 and len(frozen["list_hash"]) == 64
    assert _research("freeze", *common) == EXIT_REFUSED  # frozen once
    capsys.readouterr()
    assert _research("holdout", *common, "--data", str(slices["study"])) == EXIT_REFUSED
    assert "was read by study tiny" in capsys.readouterr().err
    assert _research("holdout", *common, "--data", str(slices["holdout"])) == 0
    result = json.loads((lab / "tiny" / "holdout.json").read_text(encoding="utf-8"))
    assert result["frozen_at"] == frozen["frozen_at"] and result["list_hash"] == frozen["list_hash"]
    page = (lab / "tiny" / "holdout" / "research.html").read_text(encoding="utf-8")
    assert f"frozen at {frozen['frozen_at']} (list hash {frozen['list_hash']})" in page  # what, and when
    assert {c["trial"] for c in result["candidates"]} == {c["trial"] for c in frozen["candidates"]}
    assert all(p.startswith("2026-03-3") or p.startswith("2026-04") for p in result["periods"])
    assert _research("holdout", *common, "--data", str(slices["holdout"])) == EXIT_REFUSED  # once only


def test_an_edited_frozen_list_is_refused(slices: dict[str, Path], tmp_path: Path) -> None:
    spec, lab = _spec(tmp_path, trials=2), tmp_path / "lab"
    common = ("--spec", str(spec), "--lab-dir", str(lab))
    assert _research(*common, "--data", str(slices["study"])) == 0
    assert _research("freeze", *common) == 0
    path = lab / "tiny" / "frozen.json"
    frozen = json.loads(path.read_text(encoding="utf-8"))
    frozen["candidates"][0]["params"]["top_fraction"] = 0.5
    path.write_text(json.dumps(frozen), encoding="utf-8")
    assert _research("holdout", *common, "--data", str(slices["holdout"])) == EXIT_REFUSED


def test_a_bad_spec_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("space:\n  colour: [red]\n", encoding="utf-8")
    assert _research("--spec", str(path), "--lab-dir", str(tmp_path)) == EXIT_BAD_SPEC
    err = capsys.readouterr().err.strip()
    assert "colour" in err and len(err.splitlines()) == 1


def _states(db_path: Path) -> dict[str, int]:
    if not db_path.exists():
        return {}
    try:
        with sqlite3.connect(db_path) as db:
            return dict(db.execute("select state, count(*) from trials group by state").fetchall())
    except sqlite3.OperationalError:  # the tables are not created yet
        return {}


@pytest.mark.slow  # two interpreters and a kill: ~12 s
def test_a_killed_study_goes_on_when_started_again(slices: dict[str, Path], tmp_path: Path) -> None:
    """Kill -9 the process mid-study; started again, its stale trial is failed (heartbeat) and the study
    reaches its target with the trials it had."""
    spec, lab = _spec(tmp_path, trials=40), tmp_path / "lab"
    db = lab / "tiny" / "study.sqlite3"
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    child = subprocess.Popen([sys.executable, "-m", "bootstrap", "research", "--spec", str(spec), "--data",
                              str(slices["study"]), "--lab-dir", str(lab), "--no-progress"],
                             cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while _states(db).get("COMPLETE", 0) + _states(db).get("PRUNED", 0) < 2:
            assert child.poll() is None and time.monotonic() < deadline, "the study did not start"
            time.sleep(0.2)
    finally:
        child.kill()
        child.wait()
    before = _states(db)
    finished = before.get("COMPLETE", 0) + before.get("PRUNED", 0)
    time.sleep(2.5)  # past the heartbeat grace period: the killed trial is stale
    assert _research("--spec", str(spec), "--data", str(slices["study"]), "--lab-dir", str(lab),
                     "--trials", str(finished + 2)) == 0
    after = _states(db)
    assert after.get("RUNNING", 0) == 0
    assert after.get("COMPLETE", 0) + after.get("PRUNED", 0) >= finished + 1
    assert after.get("FAIL", 0) == before.get("RUNNING", 0)
