"""`research --trials 0`: an existing study's finalists judged again and replayed through the real loop,
without a new trial; 5m candidates with maker entries confirmed trade for trade.

The data is 6 days of BTC and ETH (2026-03) written once as a CSV; the study is tiny (5m bars, maker
entries, small trees).
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pandas as pd
import pytest
import yaml

from bootstrap.__main__ import build_parser
from bootstrap.commands.research import run
from bootstrap.settings_model import Settings

FIVE_PAIRS = "freqtrade_userdata/binance_spot_1m_2026-03-23_2026-04-22_5pairs.csv.xz"
DAY_MS = 86_400_000
SPEC = {
    "name": "maker5m",
    "data": {"gap_hours": 24, "max_days": 2},
    "walk_forward": {"validation_fraction": 0.3, "max_train_rows": 20_000, "embargo_bars": 5,
                     "gate_min_trades": 10},
    "search": {"trials": 3, "seed": 5, "min_trades": 5, "finalists": 2, "startup_trials": 3,
               "heartbeat_seconds": 1},
    "space": {"interval_minutes": [5], "entry": ["maker"], "take_profit_pct": {"low": 0.4, "high": 1.2},
              "stop_loss_pct": {"low": 0.4, "high": 1.2},
              "hold_minutes": {"low": 60, "high": 240, "step": 60},
              "selection": "top_fraction", "top_fraction": {"low": 0.2, "high": 0.4},
              "n_estimators": 20, "min_child_samples": 100, "features": ["all"]},
}


@pytest.fixture(scope="module")
def klines(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    frame = pd.read_csv(shared_data / FIVE_PAIRS)
    frame = frame[frame["symbol"].isin(["BTCUSDT", "ETHUSDT"])]
    frame = frame[frame["open_time"] < int(frame["open_time"].min()) + 6 * DAY_MS]
    out = tmp_path_factory.mktemp("klines") / "study.csv"
    frame.to_csv(out, index=False)
    return out


def _research(*argv: str) -> int:
    return run(build_parser("research").parse_args(["research", *argv, "--no-progress"]), Settings())


def test_trials_0_judges_the_finalists_again_and_the_loop_confirms_5m_maker_entries(
        klines: Path, tmp_path: Path) -> None:
    spec, lab = tmp_path / "maker5m.yaml", tmp_path / "lab"
    spec.write_text(yaml.safe_dump(SPEC), encoding="utf-8")
    common = ("--spec", str(spec), "--data", str(klines), "--lab-dir", str(lab))
    assert _research(*common, "--trials", "3") == 0
    first = json.loads((lab / "maker5m" / "research.json").read_text(encoding="utf-8"))

    assert _research(*common, "--trials", "0") == 0  # no new trial: the same finalists, judged again
    again = json.loads((lab / "maker5m" / "research.json").read_text(encoding="utf-8"))
    assert again["trials_this_run"] == 0 and "--trials 0" in again["command"]
    assert again["trial_values"] == first["trial_values"]
    with sqlite3.connect(lab / "maker5m" / "study.sqlite3") as db:
        assert db.execute("select count(*) from trials").fetchone()[0] == 3
    assert [c["trial"] for c in again["candidates"]] == [c["trial"] for c in first["candidates"]]
    replayed = [c for c in again["candidates"] if c["real_loop"]["core_trades"]]
    assert replayed, "no finalist traded: the slice is too small for the check"
    for candidate in replayed:
        check = candidate["real_loop"]
        assert candidate["params"]["entry"] == "maker" and candidate["params"]["interval_minutes"] == 5
        assert check["confirmed"] and check["agree"], check
        assert check["loop_trades"] == check["core_trades"] == check["identical_trades"] == candidate["count"]
        assert abs(check["loop_pnl_usdt"] - check["core_pnl_usdt"]) < 0.01
        assert check == next(c["real_loop"] for c in first["candidates"] if c["trial"] == candidate["trial"])
