"""The edge report's learner: the same LightGBM classifier, isotonic calibration and expected-net-return map
as `python -m bootstrap train --label outcome` (lightgbm_trainer, calibration), without the ONNX export.

The classifier early-stops on the validation rows it is given; the calibration (raw -> probability) and
the expected-value map (probability -> mean net return %) are isotonic fits on the same rows, exactly what
the model card stores and adapters/onnx_model applies.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from adapters.onnx.card import PiecewiseLinear
from adapters.training.calibration import fit_calibration
from adapters.training.lightgbm_trainer import BoosterParams, FittedBoosters, fit_boosters
from ports.training import EdgeRanker

Floats = npt.NDArray[np.float64]
Features = npt.NDArray[np.float32]
MAX_STOPPING_ROWS = 150_000

EDGE_PARAMS = BoosterParams(n_estimators=250, learning_rate=0.08, num_leaves=15, early_stopping_rounds=30)
# --quick: fewer trees on one thread (OpenMP threads spin badly on a busy shared machine).
QUICK_PARAMS = BoosterParams(n_estimators=60, learning_rate=0.1, num_leaves=15, early_stopping_rounds=15,
                             n_jobs=1)


@dataclass(frozen=True)
class LightGbmEdgeModel:
    boosters: FittedBoosters
    calibration: PiecewiseLinear
    expected_net_return: PiecewiseLinear

    def score(self, features: Features) -> Floats:
        if not len(features):
            return np.empty(0)
        return self.boosters.raw_probability(features)

    def expected_net_pct(self, score: Floats) -> Floats:
        if not len(score):
            return np.empty(0)
        return self.expected_net_return.apply(self.calibration.apply(score))


@dataclass(frozen=True)
class LightGbmRanker:
    """The fitted boosters before calibration (LightGbmEdgeLearner.fit_ranker)."""
    boosters: FittedBoosters

    def score(self, features: Features) -> Floats:
        if not len(features):
            return np.empty(0)
        return self.boosters.raw_probability(features)


class LightGbmEdgeLearner:
    def __init__(self, params: BoosterParams = EDGE_PARAMS) -> None:
        self._params = params

    def fit(self, x_train: Features, y_train: Floats, x_val: Features, y_val: Floats,
            net_val: Floats) -> LightGbmEdgeModel:
        stop = self.stopping_rows(len(y_val))
        ranker = self.fit_ranker(x_train, y_train, x_val[stop], y_val[stop])
        return self.calibrated(ranker, ranker.boosters.raw_probability(x_val), y_val, net_val)

    def stopping_rows(self, validation_rows: int) -> npt.NDArray[np.int64]:
        stop = np.arange(validation_rows)
        if len(stop) > MAX_STOPPING_ROWS:  # AUC each boosting round on a time-spread sample (speed)
            stop = stop[np.linspace(0, len(stop) - 1, MAX_STOPPING_ROWS).astype(np.int64)]
        return stop

    def fit_ranker(self, x_train: Features, y_train: Floats, x_stop: Features, y_stop: Floats
                   ) -> LightGbmRanker:
        return LightGbmRanker(fit_boosters(x_train, y_train, x_stop, y_stop, None, None, self._params))

    def calibrated(self, ranker: EdgeRanker, raw_val: Floats, y_val: Floats, net_val: Floats
                   ) -> LightGbmEdgeModel:
        if not isinstance(ranker, LightGbmRanker):
            raise TypeError(f"LightGbmEdgeLearner calibrates its own rankers, not {type(ranker).__name__}")
        calibration = fit_calibration(raw_val, y_val, "isotonic")
        ok = np.isfinite(net_val)
        expected = fit_calibration(calibration.apply(raw_val)[ok], net_val[ok], "isotonic")
        return LightGbmEdgeModel(ranker.boosters, calibration, expected)
