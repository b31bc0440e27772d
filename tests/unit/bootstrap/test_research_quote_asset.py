"""The lab over another quote asset's pairs (USDC here, from the embedded sample renamed), with a fee table
that makes one of them a zero-fee pair: only those pairs are studied, at their own rates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from tests.support.renamed_sample import renamed_sample

from adapters.history.schema import HistoryDataError
from bootstrap import lab_wiring
from bootstrap.__main__ import build_parser
from bootstrap.commands.research import EXIT_NO_DATA, run
from bootstrap.lab_spec import load_spec
from bootstrap.settings_model import Settings

SPEC = {
    "name": "usdc",
    "data": {"gap_hours": 24, "max_days": 1, "quote_asset": "USDC"},
    "walk_forward": {"validation_fraction": 0.3, "max_train_rows": 20_000, "embargo_bars": 5,
                     "gate_min_trades": 10},
    "search": {"trials": 2, "seed": 3, "min_trades": 5, "finalists": 1, "startup_trials": 2,
               "heartbeat_seconds": 1},
    "costs": {"slippage_pct": 0.02, "symbol_fees": {"BTCUSDC": [0.0, 0.0]}},
    "space": {"interval_minutes": 1, "take_profit_pct": 0.6, "stop_loss_pct": 0.6, "hold_minutes": 30,
              "selection": "top_fraction", "top_fraction": 0.1, "n_estimators": 20, "min_child_samples": 100},
}


@pytest.fixture(scope="module")
def renamed(sample_klines: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return renamed_sample(sample_klines, tmp_path_factory.mktemp("usdc") / "usdc_and_usdt.csv",
                          {"BTCUSDT": "BTCUSDC", "ETHUSDT": "ETHUSDC"})


def spec_path(folder: Path, **data: object) -> Path:
    spec = json.loads(json.dumps(SPEC))
    spec["data"].update(data)
    path = folder / "usdc.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    return path


def test_only_the_quote_assets_pairs_are_loaded(renamed: Path, tmp_path: Path) -> None:
    spec = load_spec(spec_path(tmp_path))
    assert sorted(lab_wiring.load_data(spec, [renamed]).klines) == ["BTCUSDC", "ETHUSDC"]
    both = load_spec(spec_path(tmp_path, quote_asset=["usdc", "USDT"]))
    assert len(lab_wiring.load_data(both, [renamed]).klines) == 5
    with pytest.raises(HistoryDataError, match="no FDUSD pair"):
        lab_wiring.load_data(load_spec(spec_path(tmp_path, quote_asset="FDUSD")), [renamed])


def test_a_study_runs_over_usdc_pairs_with_a_zero_fee_pair(renamed: Path, tmp_path: Path) -> None:
    lab = tmp_path / "lab"
    args = ["research", "--spec", str(spec_path(tmp_path)), "--data", str(renamed), "--lab-dir", str(lab),
            "--no-progress"]
    assert run(build_parser("research").parse_args(args), Settings()) == 0
    payload = json.loads((lab / "usdc" / "research.json").read_text(encoding="utf-8"))
    assert sum(payload["trials"].values()) == 2 and payload["data"].startswith("2 pairs")
    best = payload["candidates"][0]
    # priced at the trades' own rates: the zero-fee BTCUSDC's round trip is slippage only (0.04%)
    assert 0.04 <= best["priced_round_trip_pct"] < 0.24
    regular = next(t for t in best["fee_tiers"] if t["tier"] == "regular")
    assert regular["round_trip_pct"] == pytest.approx(best["priced_round_trip_pct"])


def test_no_pair_of_the_quote_asset_is_one_line(renamed: Path, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    args = ["research", "--spec", str(spec_path(tmp_path, quote_asset="FDUSD")), "--data", str(renamed),
            "--lab-dir", str(tmp_path / "lab"), "--no-progress"]
    assert run(build_parser("research").parse_args(args), Settings()) == EXIT_NO_DATA
    err = capsys.readouterr().err.strip()
    assert "no FDUSD pair" in err and len(err.splitlines()) == 1
