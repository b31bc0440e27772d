"""Small synthetic training rows for the mechanical tests (split, calibration, parity, export).

The label depends on two features through a noisy logistic link; a third feature plays the volatility
baseline; some values are NaN, and the "book" columns are NaN on every row (as in recorded klines).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from adapters.onnx.card import LabelCard, Thresholds
from adapters.training.fit import TrainerConfig
from adapters.training.lightgbm_trainer import BoosterParams
from adapters.training.rows import LabelledRows, SymbolColumn
from adapters.training.trainer import LightGbmTrainer
from application.research.train_model import TrainingOutcome, TrainingPlan, train_model
from domain.features import FEATURE_NAMES, FEATURE_VERSION

NAMES = ("signal_a", "signal_b", "atr_pct_14", "noise_1", "noise_2", "book_spread_pct")
MINUTE = 60_000
START_MS = 1_700_000_000_000 - 1_700_000_000_000 % MINUTE


def synthetic_rows(n_per_symbol: int = 3000, symbols: tuple[str, ...] = ("AAAUSDT", "BBBUSDT"),
                   seed: int = 3) -> LabelledRows:
    rng = np.random.default_rng(seed)
    n = n_per_symbol * len(symbols)
    x = rng.normal(size=(n, len(NAMES)))
    x[:, 2] = np.abs(x[:, 2]) * 0.1
    x[rng.random(n) < 0.05, 0] = np.nan
    x[:, 5] = np.nan
    logit = 1.2 * np.nan_to_num(x[:, 0]) - 0.8 * x[:, 1] + 4 * x[:, 2] - 1.0
    label = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.float64)
    move = 0.1 + 0.2 * label + 0.05 * rng.normal(size=n)
    times = np.tile(START_MS + MINUTE * np.arange(n_per_symbol, dtype=np.int64), len(symbols))
    symbol = np.repeat(np.array(symbols), n_per_symbol)
    return LabelledRows(features=x.astype(np.float32), label=label, move_pct=move, time_ms=times,
                        symbol=SymbolColumn.of(symbol), feature_names=NAMES, feature_version="test-v1",
                        label_card=LabelCard(kind="spec", horizon_bars=3, threshold_pct=0.2,
                                             description="synthetic"),
                        sources=("synthetic",))


def small_config(out_dir: Path) -> TrainerConfig:
    return TrainerConfig(out_dir=out_dir, params=BoosterParams(n_estimators=40, min_child_samples=20),
                         configured_thresholds=Thresholds(min_probability=0.6, min_confidence=0.2,
                                                          min_predicted_move_pct=0.1),
                         min_validation_signals=20)


def publish_small_model(out_dir: Path, version: str = "20240101-000000",
                        rows: LabelledRows | None = None) -> TrainingOutcome:
    """Train, calibrate, export and publish a small model on synthetic rows (well under a second)."""
    trainer = LightGbmTrainer(rows or synthetic_rows(), small_config(out_dir))
    return train_model(trainer, TrainingPlan(model_version=version, horizon_bars=3))


def engine_shaped_rows() -> LabelledRows:
    """Synthetic rows under the feature engine's real names and version (the first columns carry the
    signal, the rest is noise), so the real OnnxModel accepts the model trained on them."""
    base = synthetic_rows()
    features = np.random.default_rng(5).normal(size=(len(base.label), len(FEATURE_NAMES))).astype(np.float32)
    features[:, : base.features.shape[1]] = base.features
    return replace(base, features=features, feature_names=tuple(FEATURE_NAMES),
                   feature_version=FEATURE_VERSION)


def committed_or_small_model(models_dir: Path, scratch: Path) -> Path:
    """The newest committed model in `models_dir`; without one, a small engine-shaped model in `scratch`."""
    committed = sorted(models_dir.glob("scalper-*.onnx"))
    if committed:
        return committed[-1]
    return publish_small_model(scratch, rows=engine_shaped_rows()).model_path
