from __future__ import annotations

import itertools
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from tests.support.synthetic_model import NAMES, publish_small_model, small_config, synthetic_rows

from adapters.checksums import sha256_of
from adapters.onnx.card import ModelCard
from adapters.training.fit import ScalperFit
from adapters.training.trainer import LightGbmTrainer
from application.research.train_model import TrainingOutcome, TrainingPlan, train_model


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> TrainingOutcome:
    return publish_small_model(tmp_path_factory.mktemp("pipeline"), version="20240102-030405")


def test_card_describes_the_model_beside_it(published: TrainingOutcome) -> None:
    path = published.model_path
    assert path.name == "scalper-20240102-030405.onnx"
    card = ModelCard.read(path.with_suffix(".json"))
    assert card.onnx_sha256 == sha256_of(path)
    assert card.feature_names == list(NAMES) and card.feature_version == "test-v1"
    assert card.label.kind == "spec" and card.label.horizon_bars == 3
    assert card.gap_ms == 3 * 60_000
    assert card.train.end_ms + card.gap_ms <= card.validation.start_ms
    assert card.validation.end_ms + card.gap_ms <= card.test.start_ms
    assert card.train.symbols == ["AAAUSDT", "BBBUSDT"] and card.test.rows > 0
    assert 0.5 < (card.metrics["test_auc"] or 0) <= 1.0
    assert card.training["onnx_parity_max_abs_diff"] <= 1e-5  # type: ignore[operator]
    t = card.recommended_thresholds
    assert t.min_confidence == pytest.approx(max(0.0, 2 * t.min_probability - 1))


def test_report_is_written_as_json_markdown_and_html(published: TrainingOutcome) -> None:
    stem = published.model_path.with_suffix("")
    report = json.loads(Path(f"{stem}.report.json").read_text())
    test = report["parts"]["test"]
    assert {"summary", "precision_by_probability", "reliability", "per_symbol", "per_month",
            "at_configured_thresholds"} <= set(test)
    assert set(test["per_symbol"]) == {"AAAUSDT", "BBBUSDT"}
    assert sum(row["count"] for row in test["reliability"]) == test["summary"]["rows"]
    markdown = Path(f"{stem}.report.md").read_text()
    assert "| auc |" in markdown and "reliability" in markdown
    html = Path(f"{stem}.report.html").read_text()
    assert html.count("class=\"plotly-graph-div\"") >= 4  # reliability, precision, months, importance
    intro = html.split("<body>")[1].split("<h2>")[0]
    assert "<code>" in intro and "`" not in intro  # Markdown code spans rendered, not shown as backticks


def test_training_is_deterministic(tmp_path: Path) -> None:
    a = publish_small_model(tmp_path / "a")
    b = publish_small_model(tmp_path / "b")
    assert a.model_path.read_bytes() == b.model_path.read_bytes()


def test_rows_outside_train_never_reach_the_fit(tmp_path: Path) -> None:
    """Poison the labels of validation and test: train-part figures must not move."""
    clean = synthetic_rows()
    plan = TrainingPlan(model_version="x", horizon_bars=3)
    first = train_model(LightGbmTrainer(clean, small_config(tmp_path / "c")), plan)
    after_train = clean.time_ms >= first.chosen.split.train.end_ms
    poisoned = replace(clean, label=np.where(after_train, 1.0 - clean.label, clean.label))
    fit_a, fit_b = first.chosen.model, train_model(
        LightGbmTrainer(poisoned, small_config(tmp_path / "p")), plan).chosen.model
    assert isinstance(fit_a, ScalperFit) and isinstance(fit_b, ScalperFit)
    x = clean.features[:200]
    # early stopping reads validation, so the number of trees may differ; the first tree may not
    first_tree_a = fit_a.boosters.classifier.booster_.predict(x, num_iteration=1, raw_score=True)
    first_tree_b = fit_b.boosters.classifier.booster_.predict(x, num_iteration=1, raw_score=True)
    assert np.array_equal(first_tree_a, first_tree_b)


def test_walk_forward_reports_every_fold_and_publishes_the_latest(tmp_path: Path) -> None:
    rows = synthetic_rows(n_per_symbol=4000)
    outcome = train_model(LightGbmTrainer(rows, small_config(tmp_path)),
                          TrainingPlan(model_version="wf", horizon_bars=3, walk_forward_folds=3,
                                       validation_fraction=0.15, test_fraction=0.15))
    assert len(outcome.folds) == 3 and outcome.chosen is outcome.folds[-1]
    report = json.loads((tmp_path / "scalper-wf.report.json").read_text())
    assert len(report["folds"]) == 3
    tests = [f.split.test for f in outcome.folds]
    assert all(not a.overlaps(b) for a, b in itertools.pairwise(tests))
