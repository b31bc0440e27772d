"""Probability calibration fitted on the validation rows only (spec 5.4), stored as a small table.

The fitted map is a `PiecewiseLinear` (card.py): the isotonic fit sampled on a fixed grid of raw
probabilities and applied with np.interp, or Platt's sigmoid on the log-odds. The serving adapter applies
the same numpy code, so the ONNX + card pair reproduces this pipeline.

Why a grid and not sklearn's own knots: isotonic blocks can end and start 1e-7 apart, a near-vertical
segment that turns the ONNX graph's float32 rounding (~1e-7 on the raw probability) into a jump of a
whole step. Sampling every GRID_STEP bounds the slope (step height / GRID_STEP), keeps the map monotone,
and loses no resolution that the validation rows could support.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression

from adapters.onnx.card import PiecewiseLinear

CalibrationMethod = Literal["isotonic", "sigmoid"]
Floats = npt.NDArray[np.float64]
GRID_STEP = 0.005


def fit_calibration(raw_probability: Floats, outcome: Floats, method: CalibrationMethod = "isotonic"
                    ) -> PiecewiseLinear:
    """Map raw probabilities to calibrated ones; `outcome` is 0/1 for a class, or any real value for an
    expected-value map (isotonic only)."""
    p = np.asarray(raw_probability, dtype=np.float64)
    target = np.asarray(outcome, dtype=np.float64)
    if len(p) != len(target) or len(p) == 0:
        raise ValueError(f"calibration needs matching, non-empty inputs ({len(p)} vs {len(target)})")
    if method == "isotonic":
        iso = IsotonicRegression(out_of_bounds="clip", increasing=True).fit(p, target)
        x = np.round(np.arange(0.0, 1.0 + GRID_STEP / 2, GRID_STEP), 6)
        y = np.asarray(iso.predict(x), dtype=np.float64)
        return PiecewiseLinear(method="isotonic", x=x.tolist(), y=y.tolist())
    if method == "sigmoid":
        if len(np.unique(target)) < 2:
            raise ValueError("sigmoid calibration needs both classes in the validation rows")
        clipped = np.clip(p, 1e-12, 1 - 1e-12)
        logit = np.log(clipped / (1 - clipped)).reshape(-1, 1)
        lr = LogisticRegression(C=1e6, max_iter=1000).fit(logit, target.astype(np.int64))
        return PiecewiseLinear(method="sigmoid", a=-float(lr.coef_[0, 0]), b=-float(lr.intercept_[0]))
    raise ValueError(f"unknown calibration method {method!r}: use isotonic or sigmoid")
