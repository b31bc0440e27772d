"""LightGBM fits: a classifier for the label and a regressor for the predicted move.

Early stopping on the validation rows (AUC for the classifier, L2 for the regressor), class weighting by
`scale_pos_weight` = negatives / positives of the training rows (the raw probabilities are then biased
upwards, which the calibration fitted on validation undoes). Fixed seeds and `deterministic` make two runs
on the same rows give the same trees.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any

import lightgbm as lgb
import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]
Features = npt.NDArray[np.float32]


@dataclass(frozen=True)
class BoosterParams:
    n_estimators: int = 400
    learning_rate: float = 0.05
    num_leaves: int = 15
    max_depth: int = -1
    min_child_samples: int = 200
    subsample: float = 0.8
    subsample_freq: int = 1
    colsample_bytree: float = 0.8
    reg_lambda: float = 1.0
    early_stopping_rounds: int = 40
    regressor_estimators: int = 150
    move_clip_pct: tuple[float, float] = (-2.0, 5.0)  # robust target: crash spikes would dominate L2
    seed: int = 42
    n_jobs: int = 2
    class_weighting: bool = True
    extra: dict[str, Any] = field(default_factory=dict)

    def common(self) -> dict[str, Any]:
        return {"learning_rate": self.learning_rate, "num_leaves": self.num_leaves,
                "max_depth": self.max_depth, "min_child_samples": self.min_child_samples,
                "subsample": self.subsample, "subsample_freq": self.subsample_freq,
                "colsample_bytree": self.colsample_bytree, "reg_lambda": self.reg_lambda,
                "random_state": self.seed, "n_jobs": self.n_jobs, "deterministic": True,
                "force_col_wise": True, "verbose": -1, **self.extra}


@dataclass(frozen=True)
class FittedBoosters:
    classifier: lgb.LGBMClassifier
    regressor: lgb.LGBMRegressor | None
    scale_pos_weight: float

    def raw_probability(self, x: Features) -> Floats:
        proba = np.asarray(self.classifier.predict_proba(x), dtype=np.float64)
        up: Floats = proba[:, 1]
        return up

    def predicted_move(self, x: Features) -> Floats:
        if self.regressor is None:
            return np.full(len(x), np.nan)
        move: Floats = np.asarray(self.regressor.predict(x), dtype=np.float64)
        return move

    def importance(self, feature_names: tuple[str, ...]) -> dict[str, float]:
        """Share of the total split gain per feature (classifier), largest first."""
        gain = self.classifier.booster_.feature_importance(importance_type="gain").astype(np.float64)
        total = gain.sum() or 1.0
        pairs = sorted(zip(feature_names, gain / total, strict=True), key=lambda item: -item[1])
        return {name: float(share) for name, share in pairs}


_NEW_EVAL_API = "eval_X" in inspect.signature(lgb.LGBMClassifier.fit).parameters  # lightgbm >= 4.6


def _validation(x: Features, y: Floats | npt.NDArray[np.int64]) -> dict[str, Any]:
    return {"eval_X": (x,), "eval_y": (y,)} if _NEW_EVAL_API else {"eval_set": [(x, y)]}


def _stop(params: BoosterParams) -> list[Any]:
    return [lgb.early_stopping(params.early_stopping_rounds, first_metric_only=True, verbose=False)]


def fit_boosters(x_train: Features, y_train: Floats, x_val: Features, y_val: Floats,
                 move_train: Floats | None, move_val: Floats | None,
                 params: BoosterParams) -> FittedBoosters:
    positives = float(y_train.sum())
    negatives = float(len(y_train) - positives)
    if positives == 0 or negatives == 0 or y_val.min() == y_val.max():
        raise ValueError("training and validation rows must both hold positive and negative labels")
    weight = negatives / positives if params.class_weighting else 1.0
    classifier = lgb.LGBMClassifier(n_estimators=params.n_estimators, scale_pos_weight=weight,
                                    metric="auc", **params.common())
    classifier.fit(x_train, y_train.astype(np.int64), **_validation(x_val, y_val.astype(np.int64)),
                   eval_metric="auc", callbacks=_stop(params))
    regressor = None
    if move_train is not None and move_val is not None:
        low, high = params.move_clip_pct
        keep_train, keep_val = np.isfinite(move_train), np.isfinite(move_val)
        if keep_train.sum() and keep_val.sum():
            regressor = lgb.LGBMRegressor(n_estimators=params.regressor_estimators, metric="l2",
                                          **params.common())
            regressor.fit(x_train[keep_train], np.clip(move_train[keep_train], low, high),
                          **_validation(x_val[keep_val], np.clip(move_val[keep_val], low, high)),
                          callbacks=_stop(params))
    return FittedBoosters(classifier=classifier, regressor=regressor, scale_pos_weight=weight)
