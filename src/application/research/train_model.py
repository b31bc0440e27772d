"""Train a model: split in time (with a purge gap), fit and evaluate each fold, judge the result against
spec 10.3 and its leakage red flags, then publish the fit whose test period is the latest."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from loguru import logger

from domain.splits import TimeSplit, purge_gap_ms, time_split, time_split_at, walk_forward
from ports.training import FittedSplit, ModelTrainer

LEAKAGE_AUC = 0.80  # spec 10.3: a test AUC above this is probably leakage or overfitting
OVERFIT_AUC_GAP = 0.10  # train AUC this far above test AUC: the trees memorised the training period
ACCEPTABLE_AUC = 0.55
BASELINE_MARGIN = 0.01  # the model should beat a volatility-only ranking by at least this much


@dataclass(frozen=True)
class TrainingPlan:
    model_version: str
    horizon_bars: int
    bar_ms: int = 60_000
    validation_fraction: float = 0.17
    test_fraction: float = 0.17
    walk_forward_folds: int = 1
    validation_from_ms: int | None = None  # explicit boundaries instead of row fractions
    test_from_ms: int | None = None
    test_to_ms: int | None = None


@dataclass(frozen=True)
class TrainingOutcome:
    model_path: Path
    chosen: FittedSplit
    folds: tuple[FittedSplit, ...]
    warnings: tuple[str, ...]


def plan_splits(row_times: Sequence[int], plan: TrainingPlan) -> list[TimeSplit]:
    gap = purge_gap_ms(plan.horizon_bars, plan.bar_ms)
    if plan.validation_from_ms is not None or plan.test_from_ms is not None:
        if plan.validation_from_ms is None or plan.test_from_ms is None or plan.walk_forward_folds > 1:
            raise ValueError("explicit boundaries need both validation and test starts, and no walk-forward")
        return [time_split_at(row_times, plan.validation_from_ms, plan.test_from_ms, gap_ms=gap,
                              test_end_ms=plan.test_to_ms)]
    if plan.walk_forward_folds > 1:
        return walk_forward(row_times, plan.walk_forward_folds, validation_fraction=plan.validation_fraction,
                            test_fraction=plan.test_fraction, gap_ms=gap)
    return [time_split(row_times, validation_fraction=plan.validation_fraction,
                       test_fraction=plan.test_fraction, gap_ms=gap)]


def _metric(fit: FittedSplit, part: str, name: str) -> float | None:
    return fit.metrics.get(part, {}).get(name)


def red_flags(fit: FittedSplit) -> list[str]:
    """What a reader must know before trusting the published model (spec 10.3)."""
    flags = []
    test_auc, train_auc = _metric(fit, "test", "auc"), _metric(fit, "train", "auc")
    baseline = _metric(fit, "test", "baseline_auc")
    if test_auc is None:
        return ["test AUC is undefined (a single class in the test period)"]
    if test_auc > LEAKAGE_AUC:
        flags.append(f"test AUC {test_auc:.3f} > {LEAKAGE_AUC}: suspect leakage or a label that is "
                     "predictable from volatility alone; investigate before use")
    if train_auc is not None and train_auc - test_auc > OVERFIT_AUC_GAP:
        flags.append(f"train AUC {train_auc:.3f} vs test {test_auc:.3f}: overfitting")
    if test_auc < ACCEPTABLE_AUC:
        flags.append(f"test AUC {test_auc:.3f} < {ACCEPTABLE_AUC}: below spec 10.3's acceptable level")
    if baseline is not None and test_auc - baseline < BASELINE_MARGIN:
        flags.append(f"test AUC {test_auc:.3f} does not beat the volatility-only baseline {baseline:.3f} "
                     f"by {BASELINE_MARGIN}: the label is mostly volatility")
    brier, brier_raw = _metric(fit, "test", "brier"), _metric(fit, "test", "brier_raw")
    if brier is not None and brier_raw is not None and brier > brier_raw:
        flags.append(f"calibration worsened the test Brier score ({brier_raw:.4f} -> {brier:.4f})")
    return flags


def train_model(trainer: ModelTrainer, plan: TrainingPlan) -> TrainingOutcome:
    splits = plan_splits(trainer.row_times(), plan)
    folds = []
    for index, split in enumerate(splits, start=1):
        fit = trainer.fit(split)
        logger.bind(fold=index).info(
            "fold {}/{}: validation AUC {} test AUC {} (baseline {})", index, len(splits),
            _fmt(_metric(fit, "validation", "auc")), _fmt(_metric(fit, "test", "auc")),
            _fmt(_metric(fit, "test", "baseline_auc")))
        folds.append(fit)
    chosen = folds[-1]  # the latest test period: the out-of-time figure the card reports
    warnings = red_flags(chosen)
    for warning in warnings:
        logger.warning("model {}: {}", plan.model_version, warning)
    path = trainer.publish(chosen, folds, plan.model_version, warnings)
    logger.info("model {} published at {}", plan.model_version, path)
    return TrainingOutcome(model_path=path, chosen=chosen, folds=tuple(folds), warnings=tuple(warnings))


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4f}"
