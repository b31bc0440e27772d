"""compute_features_into writes compute_features' values into a float32 matrix (no float64 copy)."""

from __future__ import annotations

import numpy as np
import pytest

from domain.features import FEATURE_NAMES, WARMUP_BARS, KlineArrays, compute_features, compute_features_into


def _klines(n: int, seed: int = 5) -> KlineArrays:
    rng = np.random.default_rng(seed)
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.001, n)))
    open_ = np.r_[close[0], close[:-1]]
    high = np.maximum(open_, close) * (1 + rng.uniform(0, 0.001, n))
    low = np.minimum(open_, close) * (1 - rng.uniform(0, 0.001, n))
    volume = rng.uniform(1, 10, n)
    return KlineArrays(np.arange(n, dtype=np.int64) * 60_000, open_, high, low, close, volume,
                       volume * rng.uniform(0.2, 0.8, n), volume * close, np.full(n, np.nan))


@pytest.mark.parametrize("n", [WARMUP_BARS - 1, WARMUP_BARS + 500])
def test_the_float32_features_are_compute_features_cast(n: int) -> None:
    k = _klines(n)
    out = np.zeros((n, len(FEATURE_NAMES)), dtype=np.float32)
    compute_features_into(k, out)
    assert np.array_equal(out, compute_features(k).astype(np.float32), equal_nan=True)
    assert (np.isfinite(out[-1]).sum() > 30) == (n >= WARMUP_BARS)  # warmed-up rows carry features


def test_a_matrix_of_the_wrong_shape_is_refused() -> None:
    with pytest.raises(ValueError, match="need shape"):
        compute_features_into(_klines(10), np.zeros((10, 3), dtype=np.float32))
