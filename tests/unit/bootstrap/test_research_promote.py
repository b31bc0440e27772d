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
