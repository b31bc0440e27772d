"""The lab's gate on a loaded model (issue 16 item 4): judged at start against research.gate.* in the config,
recorded in the card under its seal, and said with numbers when closed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from tests.support.logs import Logs

from adapters.onnx.card import ModelCard, card_path_for
from adapters.onnx.card_evidence import LabEvidenceCard
from adapters.onnx.card_gate import card_gate_verdict, record_lab_evidence
from adapters.onnx.model import OnnxModel
from adapters.onnx.model_checksums import seal_model
from bootstrap import research_mapping
from bootstrap.container import build_container
from bootstrap.lab_gate_wiring import lab_gate_closed
from bootstrap.settings_model import Settings
from domain.lab_gate import GateThresholds
from ports.errors import ConfigurationError

COMMITTED = "scalper-20261124-003619"
PASSING = LabEvidenceCard(source="holdout", study="quick", candidate="trial 7", candidate_hash="ab" * 32,
                          frozen_at="2026-12-01T10:00:00+00:00", list_hash="cd" * 32,
                          tested_at="2026-12-02T10:00:00+00:00", data_sha256={"h.csv.xz": "ef" * 32},
                          periods=["2026-05"], trades=140, mean_net_pct=0.06, ci_low_pct=0.01,
                          ci_high_pct=0.11, deflated_sharpe=0.97, trials=250, pbo=0.12)


def committed_copy(repo_root: Path, folder: Path) -> Path:
    for suffix in (".onnx", ".json", ".sha256"):
        shutil.copy(repo_root / "models" / "onnx" / f"{COMMITTED}{suffix}", folder / f"{COMMITTED}{suffix}")
    return folder / f"{COMMITTED}.onnx"


def gated(settings: Settings, path: Path) -> str | None:
    return lab_gate_closed(settings, OnnxModel.load(path))


def test_the_committed_model_keeps_its_gate_closed_and_says_no_holdout_passed(repo_root: Path,
                                                                              logs: Logs) -> None:
    card = ModelCard.read(repo_root / "models" / "onnx" / f"{COMMITTED}.json")
    assert card.lab_gate is not None and not card.lab_gate.open  # what the card says, sealed
    assert card.lab_gate.failures[0].startswith("no holdout passed")
    assert "9 validation trades, mean -0.2997%" in card.lab_gate.failures[0]
    reason = gated(Settings(), repo_root / "models" / "onnx" / f"{COMMITTED}.onnx")
    assert reason is not None and reason.startswith("lab gate closed: no holdout passed")
    (line,) = logs.having("lab gate CLOSED", "WARNING")  # said once at start-up
    assert line["message"].startswith("model 20261124-003619: lab gate CLOSED: no holdout passed")
    assert line["message"].endswith("(the bot scores signals but enters none)")


def test_passing_evidence_opens_it_and_the_config_thresholds_can_close_it(repo_root: Path,
                                                                         tmp_path: Path) -> None:
    path = committed_copy(repo_root, tmp_path)
    card_path = card_path_for(path)
    raw = json.loads(card_path.read_text())
    raw["ev_gate"]["closed"] = False  # a model whose own validation gate opened (re-sealed below)
    card_path.write_text(json.dumps(raw))
    seal_model(path)
    verdict = record_lab_evidence(path, PASSING, {"take_profit_pct": 0.6}, GateThresholds())
    assert verdict.open
    assert gated(Settings(), path) is None
    strict = Settings.model_validate({"research": {"gate": {"min_dsr": 0.99, "max_pbo": 0.1}}})
    assert research_mapping.lab_gate_thresholds(strict) == GateThresholds(0.99, 0.1)
    reason = gated(strict, path)
    assert reason == ("lab gate closed: deflated Sharpe ratio 0.970 < 0.99; probability of backtest "
                      "overfitting 0.120 > 0.1")
    off = Settings.model_validate({"signal": {"ev_gate_enabled": False}})
    assert gated(off, path) is None  # the EV gate switched off switches both off (paper rehearsal)


def test_evidence_below_the_thresholds_keeps_it_closed_with_numbers(repo_root: Path, tmp_path: Path) -> None:
    path = committed_copy(repo_root, tmp_path)
    weak = PASSING.model_copy(update={"mean_net_pct": -0.02, "ci_low_pct": -0.07, "deflated_sharpe": 0.41,
                                      "pbo": 0.55})
    verdict = record_lab_evidence(path, weak, None, GateThresholds())
    card = ModelCard.read(card_path_for(path))
    assert card.lab_gate is not None and card.lab_gate.failures == list(verdict.failures)
    assert verdict.failures[:4] == (
        "holdout mean net return -0.0200% per trade over 140 trades (not above 0)",
        "holdout 95% interval of the mean -0.0700%..+0.1100% (its low end not above 0)",
        "deflated Sharpe ratio 0.410 < 0.95", "probability of backtest overfitting 0.550 > 0.2")
    assert verdict.failures[4].startswith("the card's own EV gate is closed")


def test_a_card_claiming_an_open_gate_without_evidence_stays_closed(repo_root: Path, tmp_path: Path) -> None:
    path = committed_copy(repo_root, tmp_path)
    card = ModelCard.read(card_path_for(path))
    assert card.lab_gate is not None
    claimed = card.model_copy(update={"lab_gate": card.lab_gate.model_copy(update={"open": True,
                                                                                   "failures": []})})
    assert not card_gate_verdict(claimed, GateThresholds()).open


def test_a_tampered_card_is_refused_by_the_seal(repo_root: Path, tmp_path: Path) -> None:
    path = committed_copy(repo_root, tmp_path)
    card_path = card_path_for(path)
    raw = json.loads(card_path.read_text())
    raw["lab_evidence"] = PASSING.model_dump(mode="json")  # passing figures written by hand, not sealed
    raw["lab_gate"]["open"] = True
    card_path.write_text(json.dumps(raw))
    with pytest.raises(ConfigurationError, match="edited or replaced after publishing"):
        OnnxModel.load(path)


def test_the_container_carries_the_verdict_into_the_loop_config(repo_root: Path, tmp_path: Path) -> None:
    settings = Settings.model_validate({"model": {"path": str(committed_copy(repo_root, tmp_path))},
                                       "state": {"dir": str(tmp_path / "state")}})
    config = build_container(settings, "paper").loop_config()
    assert config.lab_gate_closed is not None and "no holdout passed" in config.lab_gate_closed
    assert build_container(settings, "backtest").lab_gate() is None  # backtests replay the card's own gate
