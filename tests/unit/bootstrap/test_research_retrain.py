"""`research retrain` (issue 16 item 8): on the embedded sample, end to end through the CLI, and the
promotion's plumbing: the model in service archived with its card, the challenger installed, sealed and
loadable, its card holding the window's evidence and the gate's verdict."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from adapters.onnx.model import OnnxModel, resolve_model_path
from application.research import retrain as retrain_module
from bootstrap.__main__ import main
from bootstrap.commands import research_retrain

COMMITTED = "scalper-20261124-003619"


def setup(tmp_path: Path, repo_root: Path) -> Path:
    models = tmp_path / "models"
    models.mkdir()
    for suffix in (".onnx", ".json", ".sha256"):
        shutil.copy(repo_root / "models" / "onnx" / f"{COMMITTED}{suffix}", models)
    config = tmp_path / "c.yaml"
    config.write_text(f"""logging: {{file_enabled: false}}
research:
  retrain: {{train_days: 2.5, test_days: 1, min_trades: 5, models_dir: {models},
             archive_dir: {tmp_path / 'archive'}, report_dir: {tmp_path / 'reports'}}}
""", encoding="utf-8")
    return config


def test_retrain_on_the_sample_through_the_cli_writes_its_report(repo_root: Path, tmp_path: Path) -> None:
    config = setup(tmp_path, repo_root)
    env = {**os.environ, "PYTHONPATH": str(repo_root / "src")}
    done = subprocess.run([sys.executable, "-m", "bootstrap", "--config", str(config), "research", "retrain",
                           "--data", str(repo_root / "data" / "sample")], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    (report,) = (tmp_path / "reports").glob("*/comparison.json")
    payload = json.loads(report.read_text())
    assert payload["current_model"].endswith(f"{COMMITTED}.onnx")
    assert {"promoted", "decision", "rule", "window", "challenger", "current"} <= set(payload)
    assert payload["window"]["test_from"] == "2026-04-03T00:00+00:00"
    assert (report.parent / "comparison.txt").read_text() in done.stdout
    assert "decision: " in done.stdout
    assert list((report.parent / "challenger").glob("scalper-*.sha256"))  # the challenger, kept either way
    if not payload["promoted"]:  # the committed model stays in service, nothing archived
        assert resolve_model_path(tmp_path / "models").name == f"{COMMITTED}.onnx"
        assert not (tmp_path / "archive").exists()


def test_a_promoted_challenger_replaces_the_model_and_the_old_one_is_archived(
        repo_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    config = setup(tmp_path, repo_root)

    def planted(*args: object, **kwargs: object) -> retrain_module.RetrainOutcome:
        """The real retrain, its decision planted: the plumbing after a 'better' verdict is under test."""
        outcome = retrain_module.retrain(*args, **kwargs)  # type: ignore[arg-type]
        better = dataclasses.replace(outcome.comparison, promote=True,
                                     reason="promoted the challenger: planted")
        return dataclasses.replace(outcome, comparison=better)

    monkeypatch.setattr(research_retrain, "retrain", planted)
    assert main(["--config", str(config), "research", "retrain", "--data",
                 str(repo_root / "data" / "sample")]) == 0
    out = capsys.readouterr().out
    assert "decision: promoted the challenger: planted" in out
    assert "the promoted one is loaded at its next start" in out
    (archived,) = (tmp_path / "archive").iterdir()
    kept = sorted(p.name for p in archived.iterdir())
    assert kept == [f"{COMMITTED}{s}" for s in (".json", ".onnx", ".sha256")]
    installed = resolve_model_path(tmp_path / "models")
    assert installed.name != f"{COMMITTED}.onnx" and not (tmp_path / "models" / f"{COMMITTED}.onnx").exists()
    model = OnnxModel.load(installed)  # sealed and loadable: what the bot picks up at its next start
    card = model.card
    assert card.lab_evidence is not None and card.lab_evidence.source == "retrain"
    assert card.lab_evidence.periods == ["2026-04-03T00:00+00:00..2026-04-04T00:00+00:00"]
    assert card.lab_recipe is not None and card.lab_recipe["selection"] == "ev_gate"
    assert card.lab_gate is not None and not card.lab_gate.open  # no trade on the sample: closed, and why
    assert card.lab_gate.failures[0] == "retrain: no trade"
