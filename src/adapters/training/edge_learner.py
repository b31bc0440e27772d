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


class LightGbmEdgeLearner:
    def __init__(self, params: BoosterParams = EDGE_PARAMS) -> None:
        self._params = params

    def fit(self, x_train: Features, y_train: Floats, x_val: Features, y_val: Floats,
            net_val: Floats) -> LightGbmEdgeModel:
        stop = np.arange(len(y_val))
        if len(stop) > MAX_STOPPING_ROWS:  # AUC each boosting round on a time-spread sample (speed)
            stop = stop[np.linspace(0, len(stop) - 1, MAX_STOPPING_ROWS).astype(np.int64)]
        boosters = fit_boosters(x_train, y_train, x_val[stop], y_val[stop], None, None, self._params)
        raw = boosters.raw_probability(x_val)
        calibration = fit_calibration(raw, y_val, "isotonic")
        ok = np.isfinite(net_val)
        expected = fit_calibration(calibration.apply(raw)[ok], net_val[ok], "isotonic")
        return LightGbmEdgeModel(boosters, calibration, expected)
