"""`research promote` publishes only a frozen candidate that passed its holdout under today's thresholds;
`research gate` says the model's verdict (issue 16 item 4)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from bootstrap.__main__ import build_parser, main
from bootstrap.commands.research import EXIT_REFUSED, run
from bootstrap.settings_model import Settings

SPEC = {"name": "tiny", "search": {"trials": 3, "seed": 3}, "space": {"interval_minutes": [1]}}
PASSED = {"trial": 3, "params": {"interval_minutes": 1}, "passed": True, "failures": [], "count": 150,
          "mean_net_pct": 0.05, "clustered": {"ci_low_pct": 0.01, "ci_high_pct": 0.09},
          "deflated_sharpe": 0.97}


def lab_with(tmp_path: Path, candidate: dict[str, object] | None, pbo: float = 0.1) -> tuple[Path, Path]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    spec, lab = tmp_path / "tiny.yaml", tmp_path / "lab"
    spec.write_text(yaml.safe_dump(SPEC), encoding="utf-8")
    if candidate is not None:
        (lab / "tiny").mkdir(parents=True)
        payload = {"written": "2026-12-01T00:00:00+00:00", "study": {"pbo": pbo, "trials_counted": 40},
                   "candidates": [candidate]}
        (lab / "tiny" / "holdout.json").write_text(json.dumps(payload), encoding="utf-8")
    return spec, lab


def promote(spec: Path, lab: Path, trial: str, settings: Settings | None = None) -> int:
    args = build_parser("research").parse_args(["research", "promote", trial, "--spec", str(spec),
                                                "--lab-dir", str(lab), "--data", str(lab)])
    return run(args, settings or Settings())


def test_a_candidate_that_failed_its_holdout_is_refused_with_its_failures(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    failed = {**PASSED, "passed": False, "mean_net_pct": -0.03, "clustered": {"ci_low_pct": -0.08,
                                                                             "ci_high_pct": 0.02},
              "failures": ["week-clustered 95% interval of the mean reaches -0.0800% (not above 0)"]}
    spec, lab = lab_with(tmp_path, failed)
    assert promote(spec, lab, "3") == EXIT_REFUSED
    err = capsys.readouterr().err
    assert err.startswith("research promote: refused: trial 3 failed its holdout: week-clustered 95% "
                          "interval")
    assert "holdout mean net return -0.0300% per trade over 150 trades (not above 0)" in err
    assert not (tmp_path / "models").exists()


def test_a_pass_below_the_current_config_thresholds_is_refused(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    spec, lab = lab_with(tmp_path, PASSED, pbo=0.15)
    strict = Settings.model_validate({"research": {"gate": {"min_dsr": 0.99, "max_pbo": 0.1}}})
    assert promote(spec, lab, "3", strict) == EXIT_REFUSED
    err = capsys.readouterr().err
    assert "deflated Sharpe ratio 0.970 < 0.99; probability of backtest overfitting 0.150 > 0.1" in err


def test_no_holdout_or_an_unknown_trial_is_refused(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    spec, lab = lab_with(tmp_path, None)
    assert promote(spec, lab, "3") == EXIT_REFUSED
    assert "has no holdout result" in capsys.readouterr().err
    spec, lab = lab_with(tmp_path / "b", PASSED)
    assert promote(spec, lab, "4") == EXIT_REFUSED
    assert "trial 4 was not frozen and tested on holdout data" in capsys.readouterr().err


def test_research_gate_names_the_committed_models_failed_test(repo_root: Path, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "c.yaml"
    config.write_text(f"logging: {{file_enabled: false}}\nmodel: {{path: {repo_root / 'models' / 'onnx'}}}\n",
                      encoding="utf-8")
    assert main(["--config", str(config), "research", "gate"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("model 20261124-003619: lab gate CLOSED: no holdout passed")
    assert out[1].startswith("  failed: no holdout passed") and "9 validation trades" in out[1]


FIVE_PAIRS = "freqtrade_userdata/binance_spot_1m_2026-03-23_2026-04-22_5pairs.csv.xz"
DAY_MS = 86_400_000
TINY = {"name": "tiny", "data": {"gap_hours": 24, "max_days": 2},
        "walk_forward": {"validation_fraction": 0.3, "max_train_rows": 20_000, "embargo_bars": 5,
                         "gate_min_trades": 10},
        "search": {"trials": 3, "seed": 3, "min_trades": 5, "finalists": 2, "startup_trials": 2},
        "space": {"interval_minutes": [1], "take_profit_pct": {"low": 0.4, "high": 1.2},
                  "stop_loss_pct": {"low": 0.4, "high": 1.2},
                  "hold_minutes": {"low": 15, "high": 60, "step": 15},
                  "selection": "top_fraction", "top_fraction": {"low": 0.05, "high": 0.2}, "n_estimators": 20,
                  "min_child_samples": 100, "features": ["all", "momentum+trend"]}}


@pytest.mark.slow
def test_study_freeze_holdout_then_promote_refuses_the_real_result_and_publishes_a_planted_pass(
        shared_data: Path, repo_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import pandas as pd

    from adapters.onnx.model import OnnxModel, resolve_model_path

    frame = pd.read_csv(shared_data / FIVE_PAIRS)
    frame = frame[frame["symbol"].isin(["BTCUSDT", "ETHUSDT"])]
    start = int(frame["open_time"].min())
    for name, (a, b) in {"study": (0, 8), "holdout": (8, 14)}.items():
        part = frame[(frame["open_time"] >= start + a * DAY_MS) & (frame["open_time"] < start + b * DAY_MS)]
        part.to_csv(tmp_path / f"{name}.csv", index=False)
    spec, lab, models = tmp_path / "tiny.yaml", tmp_path / "lab", tmp_path / "models"
    spec.write_text(yaml.safe_dump(TINY), encoding="utf-8")
    models.mkdir()
    for suffix in (".onnx", ".json", ".sha256"):
        (models / f"scalper-20261124-003619{suffix}").write_bytes(
            (repo_root / "models" / "onnx" / f"scalper-20261124-003619{suffix}").read_bytes())
    settings = Settings.model_validate({"research": {"retrain": {"models_dir": str(models),
                                                                 "archive_dir": str(tmp_path / "archive")}}})

    def research(*argv: str) -> int:
        return run(build_parser("research").parse_args(["research", *argv, "--spec", str(spec), "--lab-dir",
                                                        str(lab), "--no-progress"]), settings)

    assert research("--data", str(tmp_path / "study.csv")) == 0
    assert research("freeze") == 0
    assert research("holdout", "--data", str(tmp_path / "holdout.csv")) == 0
    payload = json.loads((lab / "tiny" / "holdout.json").read_text())
    trial = str(payload["candidates"][0]["trial"])
    capsys.readouterr()
    assert research("promote", trial, "--data", str(tmp_path / "holdout.csv")) == EXIT_REFUSED  # no edge
    assert f"refused: trial {trial} failed its holdout" in capsys.readouterr().err
    assert research("promote", trial, "--data", str(tmp_path / "study.csv")) == EXIT_REFUSED
    payload["candidates"][0].update(PASSED, trial=int(trial), params=payload["candidates"][0]["params"])
    payload["study"]["pbo"] = 0.1  # a pass planted by hand: the publishing after it is under test
    (lab / "tiny" / "holdout.json").write_text(json.dumps(payload))
    assert research("promote", trial, "--data", str(tmp_path / "study.csv")) == EXIT_REFUSED  # other data
    assert "is not the data the holdout read" in capsys.readouterr().err
    assert research("promote", trial, "--data", str(tmp_path / "holdout.csv")) == 0
    assert "lab gate OPEN: holdout" in capsys.readouterr().out
    installed = resolve_model_path(models)
    card = OnnxModel.load(installed).card
    assert card.lab_evidence is not None and card.lab_evidence.candidate == f"trial {trial}"
    assert card.lab_evidence.frozen_at == payload["frozen_at"] and card.lab_evidence.trials == 3
    assert list(card.lab_evidence.data_sha256) == ["holdout.csv"]
    assert card.lab_gate is not None and card.lab_gate.open
    (archived,) = (tmp_path / "archive").iterdir()
    assert (archived / "scalper-20261124-003619.json").exists()
