"""The model's self-check: a planted shortfall is found, a model that keeps its promise is not; PSI."""

from __future__ import annotations

import math

import numpy as np
import pytest

from domain.model_health import HealthBounds, Shortfall, judge, psi, shortfall_of

BOUNDS = HealthBounds(min_trades=20, window=50, max_shortfall_pct=0.1, t_bound=2.0, psi_bound=0.25)


def test_the_shortfall_and_its_t_are_the_hand_computed_ones() -> None:
    found = shortfall_of([0.05] * 4, [-0.2, -0.4, -0.3, -0.3], window=50)
    # differences -0.25 -0.45 -0.35 -0.35: mean -0.35, sd sqrt(0.02/3), t = -0.35 / (sd / 2)
    assert found.trades == 4
    assert found.mean_expected_pct == pytest.approx(0.05)
    assert found.mean_realised_pct == pytest.approx(-0.3)
    assert found.shortfall_pct == pytest.approx(-0.35)
    assert found.t == pytest.approx(-0.35 / (math.sqrt(0.02 / 3) / 2))


def test_only_the_last_window_of_priced_trades_counts() -> None:
    expected = [math.nan, 0.1, 0.1, 0.1, 0.1]
    realised = [-9.0, -5.0, 0.1, 0.1, 0.1]
    found = shortfall_of(expected, realised, window=3)
    assert found.trades == 3 and found.shortfall_pct == 0.0 and found.t == 0.0


def test_a_planted_shortfall_is_detected_with_its_numbers() -> None:
    rng = np.random.default_rng(7)
    expected = rng.uniform(0.03, 0.08, 50)
    realised = expected - 0.3 + rng.normal(0.0, 0.5, 50)  # every trade promised ~+0.05%, realised ~-0.25%
    verdict = judge(shortfall_of(list(expected), list(realised), BOUNDS.window), {}, BOUNDS)
    assert verdict.degraded
    assert verdict.shortfall.trades == 50 and verdict.shortfall.t < -2.0
    assert verdict.reason is not None and verdict.reason.startswith("50 trades realised -0.")
    assert "%/trade vs expected +0.0" in verdict.reason and "(t=-" in verdict.reason


def test_a_model_that_realises_what_it_promised_is_healthy() -> None:
    rng = np.random.default_rng(7)
    expected = rng.uniform(0.03, 0.08, 50)
    realised = expected + rng.normal(0.0, 0.5, 50)  # noisy, but on target
    verdict = judge(shortfall_of(list(expected), list(realised), BOUNDS.window), {}, BOUNDS)
    assert not verdict.degraded and verdict.reason is None
    assert abs(verdict.shortfall.t) < 2.0


def test_too_few_trades_or_a_small_shortfall_is_not_enough() -> None:
    losing = Shortfall(trades=19, mean_expected_pct=0.05, mean_realised_pct=-0.5, t=-9.0)
    assert not judge(losing, {}, BOUNDS).degraded  # below min_trades
    slightly = Shortfall(trades=50, mean_expected_pct=0.05, mean_realised_pct=0.0, t=-9.0)
    assert not judge(slightly, {}, BOUNDS).degraded  # consistent, but within max_shortfall_pct
    noisy = Shortfall(trades=50, mean_expected_pct=0.05, mean_realised_pct=-0.5, t=-1.5)
    assert not judge(noisy, {}, BOUNDS).degraded  # large, but not beyond the t bound


def test_psi_is_the_hand_computed_value() -> None:
    # Two bins split at the reference's median 1.5: reference 50/50, recent 75/25.
    value = psi(np.array([0.0, 1.0, 2.0, 3.0]), np.array([0.0, 0.0, 0.0, 3.0]), bins=2)
    assert value == pytest.approx(0.25 * math.log(1.5) - 0.25 * math.log(0.5))


def test_psi_of_the_same_distribution_is_near_zero_and_of_a_shifted_one_beyond_the_bound() -> None:
    rng = np.random.default_rng(3)
    reference = rng.normal(0.0, 1.0, 5_000)
    assert psi(reference, reference) == pytest.approx(0.0, abs=1e-12)
    assert psi(reference, rng.normal(0.0, 1.0, 5_000)) < 0.02
    assert psi(reference, rng.normal(1.0, 1.0, 5_000)) > 0.25
    assert math.isnan(psi(reference, np.array([math.nan])))  # nothing recent: unknown, not zero


def test_a_drifted_feature_degrades_the_verdict_and_is_named() -> None:
    healthy = Shortfall(trades=0, mean_expected_pct=math.nan, mean_realised_pct=math.nan, t=math.nan)
    verdict = judge(healthy, {"rsi_14": 0.05, "atr_pct_14": 0.6}, BOUNDS)
    assert verdict.degraded and verdict.reason == "feature drift atr_pct_14 PSI=0.60 > 0.25"
    assert verdict.psi == {"rsi_14": 0.05, "atr_pct_14": 0.6}
    assert not judge(healthy, {"rsi_14": math.nan}, BOUNDS).degraded
