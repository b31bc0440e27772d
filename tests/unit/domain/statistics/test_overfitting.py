"""Deflated Sharpe ratio and PBO against published and hand-computed values."""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pytest

from domain.statistics.overfitting import (
    SharpeMoments,
    backtest_overfitting,
    deflated_sharpe,
    expected_max_sharpe,
    probabilistic_sharpe,
    sharpe_moments,
)


def test_the_papers_worked_example() -> None:
    """Bailey & López de Prado (2014), section 6: 100 trials, variance of their annualised Sharpe ratios
    1/2, an annualised SR of 2.5 over 1250 daily returns with skewness -3 and kurtosis 10: SR0 = 0.1132
    per day and DSR = 0.9004."""
    days = 250
    sr0 = expected_max_sharpe(100, 0.5 / days)
    assert sr0 == pytest.approx(0.1132, abs=5e-5)
    moments = SharpeMoments(2.5 / math.sqrt(days), 1250, -3.0, 10.0)
    assert deflated_sharpe(moments, 100, 0.5 / days) == pytest.approx(0.9004, abs=2e-4)


def test_by_hand_with_the_formula() -> None:
    n, v, sr, t = 10, 0.01, 0.2, 101
    gamma = 0.5772156649015329
    z = NormalDist().inv_cdf
    bar = math.sqrt(v) * ((1 - gamma) * z(1 - 1 / n) + gamma * z(1 - 1 / (n * math.e)))
    expected = NormalDist().cdf((sr - bar) * math.sqrt(t - 1) / math.sqrt(1 - 0 * sr + (3 - 1) / 4 * sr**2))
    assert deflated_sharpe(SharpeMoments(sr, t, 0.0, 3.0), n, v) == pytest.approx(expected, rel=1e-12)


def test_more_trials_deflate_more_and_one_trial_does_not() -> None:
    moments = SharpeMoments(0.1, 500, 0.0, 3.0)
    values = [deflated_sharpe(moments, n, 0.002) for n in (1, 10, 100, 1000)]
    assert values == sorted(values, reverse=True)
    assert values[0] == pytest.approx(probabilistic_sharpe(moments, 0.0))
    assert expected_max_sharpe(1, 0.5) == 0.0
    assert math.isnan(deflated_sharpe(SharpeMoments(math.nan, 1, math.nan, math.nan), 10, 0.1))


def test_sharpe_moments_of_a_known_series() -> None:
    m = sharpe_moments(np.array([1.0, 2.0, 3.0, 4.0]))
    assert m.sharpe == pytest.approx(2.5 / np.std([1, 2, 3, 4], ddof=1))
    assert m.skewness == pytest.approx(0.0)
    assert m.kurtosis == pytest.approx(1.64)


def test_pbo_by_hand_two_trials_two_blocks() -> None:
    """A wins block 0, B wins block 1: each half's winner is last on the other half, so PBO = 1."""
    returns = np.array([[1.0, 0.0], [2.0, 0.0], [0.0, 1.0], [0.0, 3.0]])
    result = backtest_overfitting(returns, blocks=2, metric="mean")
    assert result.splits == 2
    assert result.pbo == 1.0
    assert result.logits == pytest.approx((math.log(0.5), math.log(0.5)))


def test_a_dominant_trial_is_not_overfit() -> None:
    rng = np.random.default_rng(1)
    noise = rng.normal(0, 1, (400, 20))
    noise[:, 7] += 2.0
    assert backtest_overfitting(noise, blocks=8).pbo == 0.0


def test_pure_noise_is_overfit_about_half_the_time() -> None:
    rng = np.random.default_rng(2)
    pbo = backtest_overfitting(rng.normal(0, 1, (480, 50)), blocks=16).pbo
    assert 0.3 < pbo < 0.7


def test_pbo_refuses_odd_blocks_and_needs_two_trials() -> None:
    with pytest.raises(ValueError, match="even"):
        backtest_overfitting(np.zeros((10, 3)), blocks=3)
    assert math.isnan(backtest_overfitting(np.zeros((10, 1)), blocks=2).pbo)


def test_pbo_of_hundreds_of_trials_over_12870_splits() -> None:
    rng = np.random.default_rng(3)
    result = backtest_overfitting(rng.normal(0, 1, (200, 300)), blocks=16)
    assert result.splits == 12_870 and 0.0 <= result.pbo <= 1.0
