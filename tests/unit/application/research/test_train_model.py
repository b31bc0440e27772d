from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from application.research.train_model import TrainingPlan, red_flags, train_model
from domain.splits import TimeSplit, time_split
from ports.training import FittedSplit

MINUTE = 60_000


class FakeTrainer:
    """Fixed figures per fit; records what it was asked."""

    def __init__(self, test_auc: float = 0.62, train_auc: float = 0.66, baseline: float = 0.55,
                 brier: float = 0.10, brier_raw: float = 0.12) -> None:
        self.figures = {"train": {"auc": train_auc}, "validation": {"auc": 0.63},
                        "test": {"auc": test_auc, "baseline_auc": baseline, "brier": brier,
                                 "brier_raw": brier_raw}}
        self.splits: list[TimeSplit] = []
        self.published: tuple[FittedSplit, int, str, list[str]] | None = None

    def row_times(self) -> Sequence[int]:
        return [t * MINUTE for t in range(10_000)]

    def fit(self, split: TimeSplit) -> FittedSplit:
        self.splits.append(split)
        return FittedSplit(split=split, metrics=self.figures, model=object())

    def publish(self, chosen: FittedSplit, folds: Sequence[FittedSplit], model_version: str,
                warnings: Sequence[str]) -> Path:
        self.published = (chosen, len(folds), model_version, list(warnings))
        return Path(f"scalper-{model_version}.onnx")


def test_single_split_is_fitted_and_published_with_the_label_gap() -> None:
    trainer = FakeTrainer()
    outcome = train_model(trainer, TrainingPlan(model_version="v1", horizon_bars=5))
    assert len(trainer.splits) == 1 and trainer.splits[0].gap_ms == 5 * MINUTE
    assert outcome.model_path == Path("scalper-v1.onnx")
    assert trainer.published is not None and trainer.published[1:3] == (1, "v1")
    assert outcome.warnings == ()


def test_walk_forward_publishes_the_fold_with_the_latest_test_period() -> None:
    trainer = FakeTrainer()
    outcome = train_model(trainer, TrainingPlan(model_version="v2", horizon_bars=3, walk_forward_folds=3,
                                                validation_fraction=0.1, test_fraction=0.1))
    assert len(trainer.splits) == 3
    assert outcome.chosen.split.test.start_ms == max(s.test.start_ms for s in trainer.splits)


def test_explicit_boundaries_are_used() -> None:
    trainer = FakeTrainer()
    train_model(trainer, TrainingPlan(model_version="v3", horizon_bars=3, validation_from_ms=6000 * MINUTE,
                                      test_from_ms=8000 * MINUTE))
    assert trainer.splits[0].validation.start_ms == 6000 * MINUTE
    assert trainer.splits[0].test.start_ms == 8000 * MINUTE
    with pytest.raises(ValueError):
        train_model(FakeTrainer(), TrainingPlan(model_version="v", horizon_bars=3, test_from_ms=1))


@pytest.mark.parametrize(("kwargs", "flag"), [
    ({"test_auc": 0.85, "train_auc": 0.86}, "leakage"),
    ({"test_auc": 0.60, "train_auc": 0.80}, "overfitting"),
    ({"test_auc": 0.52, "train_auc": 0.55, "baseline": 0.50}, "below spec"),
    ({"test_auc": 0.70, "train_auc": 0.72, "baseline": 0.695}, "volatility-only baseline"),
    ({"brier": 0.13, "brier_raw": 0.12}, "worsened"),
])
def test_red_flags_are_raised_and_passed_to_the_report(kwargs: dict[str, float], flag: str) -> None:
    trainer = FakeTrainer(**kwargs)
    outcome = train_model(trainer, TrainingPlan(model_version="v", horizon_bars=3))
    assert any(flag in w for w in outcome.warnings)
    assert trainer.published is not None and trainer.published[3] == list(outcome.warnings)


def test_good_model_raises_no_flag() -> None:
    trainer = FakeTrainer()
    fit = trainer.fit(time_split(trainer.row_times(), gap_ms=3 * MINUTE))
    assert red_flags(fit) == []
