from __future__ import annotations

import numpy as np
import pytest
from tests.support.synthetic_model import synthetic_rows

from adapters.onnx.card import PiecewiseLinear
from adapters.training.calibration import fit_calibration
from adapters.training.lightgbm_trainer import BoosterParams, fit_boosters
from adapters.training.metrics import brier
from domain.splits import time_split


def biased_scores(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """True probability q; the 'model' reports q**0.4 (over-confident upwards, as class weighting does)."""
    rng = np.random.default_rng(seed)
    q = rng.beta(1.5, 6.0, n)
    y = (rng.random(n) < q).astype(np.float64)
    return q**0.4, y


@pytest.mark.parametrize("method", ["isotonic", "sigmoid"])
def test_calibration_fitted_on_validation_improves_brier_on_test(method: str) -> None:
    raw_val, y_val = biased_scores(20_000, seed=1)
    raw_test, y_test = biased_scores(20_000, seed=2)
    calibration = fit_calibration(raw_val, y_val, method)  # type: ignore[arg-type]
    assert brier(y_test, calibration.apply(raw_test)) < brier(y_test, raw_test)


def test_isotonic_map_is_monotone_bounded_and_on_a_grid() -> None:
    raw, y = biased_scores(5_000, seed=3)
    calibration = fit_calibration(raw, y, "isotonic")
    assert calibration.x[0] == 0.0 and calibration.x[-1] == 1.0
    assert np.all(np.diff(calibration.y) >= 0)
    assert min(calibration.y) >= 0.0 and max(calibration.y) <= 1.0
    grid = np.linspace(0, 1, 1001)
    assert np.all(np.diff(calibration.apply(grid)) >= 0)


def test_calibration_keeps_or_improves_brier_of_a_class_weighted_lightgbm_on_test() -> None:
    rows = synthetic_rows(n_per_symbol=3000)
    split = time_split(rows.sorted_times, gap_ms=180_000)
    train, val, test = (rows.mask(p) for p in (split.train, split.validation, split.test))
    fitted = fit_boosters(rows.features[train], rows.label[train], rows.features[val], rows.label[val],
                          None, None, BoosterParams(n_estimators=40, min_child_samples=20))
    assert fitted.scale_pos_weight > 1  # minority positives: weighting biases the raw probabilities
    calibration = fit_calibration(fitted.raw_probability(rows.features[val]), rows.label[val])
    raw_test = fitted.raw_probability(rows.features[test])
    assert brier(rows.label[test], calibration.apply(raw_test)) <= brier(rows.label[test], raw_test)


def test_sigmoid_map_is_platt_on_the_log_odds() -> None:
    p = np.array([0.1, 0.3, 0.5, 0.9])
    assert np.allclose(PiecewiseLinear(method="sigmoid", a=-1.0, b=0.0).apply(p), p)  # identity
    shifted = PiecewiseLinear(method="sigmoid", a=-1.0, b=0.5).apply(np.array([0.5]))
    assert shifted[0] == pytest.approx(1 / (1 + np.exp(0.5)))


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(ValueError):
        fit_calibration(np.array([0.1, 0.2]), np.array([1.0]))
    with pytest.raises(ValueError, match="both classes"):
        fit_calibration(np.array([0.1, 0.2]), np.array([1.0, 1.0]), "sigmoid")
    with pytest.raises(ValueError):
        PiecewiseLinear(method="isotonic", x=[0.5, 0.1], y=[0.0, 1.0])


@pytest.mark.parametrize("method", ["isotonic", "sigmoid"])
def test_single_value_path_equals_the_array_path(method: str) -> None:
    raw, y = biased_scores(5_000, seed=4)
    calibration = fit_calibration(raw, y, method)  # type: ignore[arg-type]
    values = np.concatenate([np.linspace(-0.1, 1.1, 997), calibration.x, [np.nan]])
    one = np.array([calibration.apply_one(float(v)) for v in values])
    assert np.allclose(one, calibration.apply(values), atol=1e-12, equal_nan=True)
