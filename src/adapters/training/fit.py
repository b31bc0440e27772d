"""What a LightGBM fit is and what it was made from: the trainer's config and its fitted parts.

Shared by the trainer that makes a fit, and the publisher and the report that write it out (they need
the rows and the config, not the trainer: `FitSource`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from adapters.onnx.card import EvGateCard, PiecewiseLinear, Thresholds
from adapters.training.calibration import CalibrationMethod
from adapters.training.lightgbm_trainer import BoosterParams, FittedBoosters
from adapters.training.rows import LabelledRows


@dataclass(frozen=True)
class TrainerConfig:
    out_dir: Path
    configured_thresholds: Thresholds  # the thresholds of the settings, reported on every part
    params: BoosterParams = field(default_factory=BoosterParams)
    calibration_method: CalibrationMethod = "isotonic"
    target_precision: float = 0.60  # spec 10.3: "excellent" precision at the threshold
    min_validation_signals: int = 100
    min_move_pct: float = 0.2  # percent: a move below the round-trip fees cannot pay
    max_train_eval_rows: int = 300_000  # train-part figures on a time-spread sample (speed)
    max_early_stopping_rows: int = 150_000  # AUC per boosting round on a time-spread validation sample
    train_row_stride: int = 1  # fit on every k-th bar (same minutes for every pair); 1 = all rows
    bar_ms: int = 60_000


@dataclass(frozen=True)
class ScalperFit:
    boosters: FittedBoosters
    calibration: PiecewiseLinear
    expected_net_return: PiecewiseLinear | None
    recommended: Thresholds
    parts: dict[str, dict[str, Any]]
    importance: dict[str, float]
    fit_seconds: float
    ev_gate: EvGateCard | None = None


class FitSource(Protocol):
    """The rows a fit was made from and the config it was made with (adapters.training.trainer)."""

    @property
    def rows(self) -> LabelledRows: ...

    @property
    def config(self) -> TrainerConfig: ...
