"""What the train-model use case needs from a trainer: row times to split on, a fit evaluated on one
split, and publishing the chosen fit as a model file with its card and report."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from domain.splits import TimeSplit

# part ("train", "validation", "test") -> metric name -> value (None when undefined)
Floats = npt.NDArray[np.float64]
PartMetrics = Mapping[str, Mapping[str, float | None]]


@dataclass(frozen=True)
class FittedSplit:
    """One fit on one split. `metrics` names used by the use case: "auc" (calibrated score), "brier",
    "brier_raw" and "baseline_auc" (the volatility-only baseline). `model` is the trainer's own object,
    handed back to `publish`."""

    split: TimeSplit
    metrics: PartMetrics
    model: object = field(repr=False)


class ModelTrainer(Protocol):
    def row_times(self) -> Sequence[int]:
        """Open times of every labelled row, sorted ascending."""
        ...

    def fit(self, split: TimeSplit) -> FittedSplit:
        """Fit on split.train, early-stop and calibrate on split.validation, evaluate on all three."""
        ...

    def publish(self, chosen: FittedSplit, folds: Sequence[FittedSplit], model_version: str,
                warnings: Sequence[str]) -> Path:
        """Write the model file, its card and its report; return the model file's path."""
        ...


class EdgeModel(Protocol):
    def score(self, features: npt.NDArray[np.float32]) -> Floats:
        """A score that ranks rows (the raw probability of a winning trade)."""
        ...

    def expected_net_pct(self, score: Floats) -> Floats:
        """Calibrated expected net return (percent) of a trade at this score."""
        ...


class EdgeLearner(Protocol):
    def fit(self, x_train: npt.NDArray[np.float32], y_train: Floats, x_val: npt.NDArray[np.float32],
            y_val: Floats, net_val: Floats) -> EdgeModel:
        """Fit on the training rows; early-stop, calibrate and map to expected net return on x_val."""
        ...


class EdgeRanker(Protocol):
    def score(self, features: npt.NDArray[np.float32]) -> Floats:
        """The fitted booster's raw probability of a winning trade, row by row (rows scored apart or
        together get the same values)."""
        ...


class StagedEdgeLearner(EdgeLearner, Protocol):
    """EdgeLearner.fit in stages, for a caller that streams the validation rows instead of holding them:
    fit(x, y, v, vy, vn) == calibrated(r, r.score(v), vy, vn) with r = fit_ranker(x, y, v[s], vy[s]) and
    s = stopping_rows(len(v))."""

    def stopping_rows(self, validation_rows: int) -> npt.NDArray[np.int64]:
        """Which validation rows (sorted, distinct indices) the booster early-stops on."""
        ...

    def fit_ranker(self, x_train: npt.NDArray[np.float32], y_train: Floats, x_stop: npt.NDArray[np.float32],
                   y_stop: Floats) -> EdgeRanker:
        ...

    def calibrated(self, ranker: EdgeRanker, raw_val: Floats, y_val: Floats, net_val: Floats) -> EdgeModel:
        """The ranker with its calibration and expected-net-return map fitted on the validation rows."""
        ...
