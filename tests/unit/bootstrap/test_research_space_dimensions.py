"""A tiny study over the embedded sample (its BTC pair renamed BTCFDUSD, ETH ETHUSDC) draws every
dimension of the space, the target and the quote asset among them; each choice reaches the trial's record
and the report, and each finalist shows its figures per market regime beside its calendar periods. A bad
target, quote or regimes section, or a quote the data does not hold, is refused in one line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.support.renamed_sample import renamed_sample

from bootstrap.__main__ import build_parser
from bootstrap.commands.research import EXIT_BAD_SPEC, EXIT_NO_DATA, run
from bootstrap.settings_model import Settings

SPACE: dict[str, Any] = {
    "interval_minutes": [1, 5], "take_profit_pct": {"low": 0.3, "high": 1.0}, "stop_loss_pct": [0.5, 0.8],
    "hold_minutes": {"low": 10, "high": 30, "step": 10}, "trailing": [False, True],
    "trailing_activation_pct": [0.3], "trailing_distance_pct": [0.2], "entry": ["taker", "maker"],
    "fee_tier": ["regular", "regular + BNB"], "selection": ["top_fraction", "ev_gate"],
    "top_fraction": {"low": 0.05, "high": 0.2}, "target": ["outcome", "spec", "forward"],
    "label_margin_pct": [0.0, 0.1], "features": ["all", "momentum+trend"], "universe": ["all", "majors"],
    "quote_asset": ["all", "USDT", "FDUSD", "USDC"], "num_leaves": [7, 15], "learning_rate": [0.1],
    "n_estimators": [20], "min_child_samples": [100],
}
SPEC: dict[str, Any] = {
    "name": "dims",
    "data": {"gap_hours": 24, "max_days": 2, "universes": {"all": None, "majors": ["BTCFDUSD", "ETHUSDC"]}},
    "walk_forward": {"validation_fraction": 0.3, "max_train_rows": 10_000, "embargo_bars": 5,
                     "gate_min_trades": 5},
    "search": {"trials": 8, "seed": 5, "min_trades": 1, "finalists": 2, "startup_trials": 8,
               "heartbeat_seconds": 1},
    "regimes": {"window_minutes": 120, "drift_band_pct": 0.3, "baseline_minutes": 720},
    "space": SPACE,
}


@pytest.fixture(scope="module")
def renamed(sample_klines: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return renamed_sample(sample_klines, tmp_path_factory.mktemp("quotes") / "three_quotes.csv",
                          {"BTCUSDT": "BTCFDUSD", "ETHUSDT": "ETHUSDC"})


def _spec(folder: Path, **changes: Any) -> Path:
    spec = json.loads(json.dumps(SPEC))
    for key, value in changes.items():
        section, _, name = key.partition("__")
        spec[section][name] = value
    path = folder / "dims.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    return path


def _run(spec: Path, data: Path, lab: Path) -> int:
    args = ["research", "--spec", str(spec), "--data", str(data), "--lab-dir", str(lab), "--no-progress"]
    return run(build_parser("research").parse_args(args), Settings())


def test_a_tiny_study_draws_every_dimension_and_reports_each_choice(renamed: Path, tmp_path: Path) -> None:
    lab = tmp_path / "lab"
    assert _run(_spec(tmp_path), renamed, lab) == 0
    payload = json.loads((lab / "dims" / "research.json").read_text(encoding="utf-8"))
    assert sum(payload["trials"].values()) == 8
    import optuna

    study = optuna.load_study(study_name="dims", storage=payload["storage"])
    for trial in study.trials:
        assert set(trial.params) == set(SPACE)  # every dimension drawn
        recorded = trial.user_attrs["params"]  # the trial's record: every choice, typed
        assert recorded["target"] == trial.params["target"]
        assert recorded["quote_asset"] == trial.params["quote_asset"]
    drawn = {t.number: (t.params["target"], t.params["quote_asset"]) for t in study.trials}
    assert {r["trial"]: (r["target"], r["quote_asset"]) for r in payload["trial_values"]} == drawn
    assert len({t.params["target"] for t in study.trials}) > 1
    assert len({t.params["quote_asset"] for t in study.trials}) > 1
    assert payload["candidates"], "no finalist to judge"
    for candidate in payload["candidates"]:
        assert {"target", "quote_asset", "universe"} <= set(candidate["params"])
        regimes = candidate["per_regime"]
        assert "trailing 120 min" in regimes["rule"]
        for part in ("drift", "volatility", "combined"):
            assert sum(r["count"] for r in regimes[part].values()) == candidate["count"]
        assert set(regimes["drift"]) <= {"up", "down", "flat", "unknown"}
    html = (lab / "dims" / "research.html").read_text(encoding="utf-8")
    assert "per_regime" in html and "clustered 95% CI" in html


@pytest.mark.parametrize(("change", "message"), [
    ({"space__target": ["outcome", "label"]}, "target 'label' is not one of"),
    ({"space__quote_asset": ["all", "US DT"]}, "quote_asset 'US DT' is not an asset name"),
    ({"regimes__window_minutes": 800}, "regimes need 0 < window_minutes (800) < baseline_minutes (720)"),
    ({"regimes__span": 3}, "unknown key regimes.span"),
])
def test_a_bad_dimension_or_regimes_section_is_one_line(change: dict[str, Any], message: str, renamed: Path,
                                                        tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                                        ) -> None:
    assert _run(_spec(tmp_path, **change), renamed, tmp_path / "lab") == EXIT_BAD_SPEC
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1


def test_a_quote_the_data_does_not_hold_is_one_line(renamed: Path, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    spec = _spec(tmp_path, space__quote_asset=["USDT", "EUR"])
    assert _run(spec, renamed, tmp_path / "lab") == EXIT_NO_DATA
    err = capsys.readouterr().err.strip()
    assert "space.quote_asset EUR: the data holds no EUR pair" in err and len(err.splitlines()) == 1
