from __future__ import annotations

import math

import numpy as np
import pytest

from domain.pair_state import PairState
from domain.scanner_rules import (
    ALERT_TYPES,
    AlertType,
    ScannerRules,
    alert_masks,
    alert_metrics,
    alert_scores,
    alert_screen,
    alert_signals,
    quick_score,
)

RULES = ScannerRules(min_volume_24h=1_000_000, max_spread_pct=0.15, volume_spike_ratio=3.0,
                     momentum_threshold_pct=0.15, breakout_distance_pct=0.5, reversal_drop_pct=1.0)


def state(**changes: float) -> PairState:
    base: dict[str, float] = dict(price=101.0, price_1m_ago=100.0, price_5m_ago=98.0, volume_24h=14_400_000.0,
                                  volume_1m=10_000.0, high_24h=102.0, low_24h=90.0, bid_price=100.99,
                                  ask_price=101.01)
    base.update(changes)
    return PairState(symbol="ABCUSDT", last_update_ms=1_700_000_000_000, **base)


def test_derived_properties_in_percent() -> None:
    s = state()
    assert s.change_1m_pct == pytest.approx(1.0)
    assert s.change_5m_pct == pytest.approx(3 / 98 * 100)
    assert s.spread_pct == pytest.approx(0.02 / 100.99 * 100)
    assert s.distance_from_high_pct == pytest.approx(1 / 102 * 100)
    assert s.distance_from_low_pct == pytest.approx(11 / 90 * 100)
    assert s.volume_ratio == pytest.approx(1.0)  # 14.4 M / 1440 = 10 k a minute on average


@pytest.mark.parametrize("before", [0.0, math.nan, -1.0])
def test_unknown_past_price_means_no_change(before: float) -> None:
    s = state(price_1m_ago=before, price_5m_ago=before)
    assert s.change_1m_pct == 0.0
    assert s.change_5m_pct == 0.0


def test_unknown_high_low_and_book_are_nan_not_zero() -> None:
    s = state(high_24h=0.0, low_24h=math.nan, bid_price=math.nan, ask_price=math.nan, volume_1m=math.nan)
    assert math.isnan(s.distance_from_high_pct)  # never "at the high"
    assert math.isnan(s.distance_from_low_pct)
    assert math.isnan(s.spread_pct)
    assert s.volume_ratio == 0.0


def test_quick_score_adds_the_spec_terms_with_a_real_volume_term() -> None:
    # momentum min(0.2/0.5, 0.3) = 0.3; 1% under the high: (2-1)/2*0.3 = 0.15; spread 0.0198% -> 0.2;
    # volume at 2x the average minute with a 3x spike ratio: 0.2 * (2-1)/(3-1) = 0.1
    s = state(price=100.2, price_1m_ago=100.0, high_24h=100.2 / 0.99, bid_price=100.19, ask_price=100.21,
              volume_1m=20_000.0)
    assert s.quick_score(RULES) == pytest.approx(0.3 + 0.15 + 0.2 + 0.1)


def test_quick_score_volume_term_is_zero_at_average_and_full_at_a_spike() -> None:
    quiet = state(price=100.0, price_1m_ago=100.0, high_24h=200.0, bid_price=math.nan, ask_price=math.nan)
    assert quiet.quick_score(RULES) == 0.0
    spike = state(price=100.0, price_1m_ago=100.0, high_24h=200.0, bid_price=math.nan, ask_price=math.nan,
                  volume_1m=50_000.0)
    assert spike.quick_score(RULES) == pytest.approx(0.2)


def test_unknown_spread_does_not_block_but_scores_nothing() -> None:
    known = state(bid_price=100.99, ask_price=101.01)
    unknown = state(bid_price=math.nan, ask_price=math.nan)
    assert unknown.quick_score(RULES) == pytest.approx(known.quick_score(RULES) - 0.2)
    assert unknown.quick_score(RULES) > 0


@pytest.mark.parametrize("changes", [{"volume_24h": 999_999.0}, {"bid_price": 100.0, "ask_price": 100.2},
                                     {"price": math.nan}])
def test_pairs_failing_the_filter_score_zero(changes: dict[str, float]) -> None:
    assert state(**changes).quick_score(RULES) == 0.0


def test_quick_score_is_capped_at_one() -> None:
    metrics = np.array([[100.0], [5.0], [-1.0], [0.0]])  # volume ratio, 1 min change, distance, 5 min change
    scores = quick_score(metrics, np.array([0.01]), 3.0)
    assert scores[0] == pytest.approx(1.0)


def fired(c1: float, c5: float, dist: float, ratio: float) -> dict[AlertType, float]:
    out = {}
    for alert_type, mask, score in alert_signals(RULES, np.array([[ratio], [c1], [dist], [c5]])):
        if mask[0]:
            out[alert_type] = float(score[0])
    return out


def test_each_alert_fires_on_its_own_condition() -> None:
    assert fired(0.0, 0.0, 5.0, 3.01).keys() == {AlertType.VOLUME_SPIKE}
    assert fired(0.2, 0.0, 5.0, 0.0).keys() == {AlertType.MOMENTUM}
    assert fired(0.0, 0.0, 0.4, 0.0).keys() == {AlertType.BREAKOUT}
    assert fired(0.05, -1.2, 5.0, 1.5).keys() == {AlertType.REVERSAL}
    assert fired(0.0, 0.0, 5.0, 0.0) == {}


def test_thresholds_are_strict_where_the_spec_is() -> None:
    assert AlertType.VOLUME_SPIKE not in fired(0.0, 0.0, 5.0, 3.0)
    assert AlertType.MOMENTUM not in fired(0.15, 0.0, 5.0, 0.0)
    assert AlertType.BREAKOUT not in fired(0.0, 0.0, 0.5, 0.0)
    assert AlertType.REVERSAL in fired(0.01, -1.0, 5.0, 1.01)  # a fall of at least the drop


def test_momentum_must_accelerate() -> None:
    # +0.2% in the last minute after +1% over 5 min: 0.2 > 1/5*1.5 = 0.3 is false -> not accelerating
    assert AlertType.MOMENTUM not in fired(0.2, 1.0, 5.0, 0.0)
    assert AlertType.MOMENTUM in fired(0.31, 1.0, 5.0, 0.0)


def test_reversal_needs_the_bounce_and_the_volume() -> None:
    assert AlertType.REVERSAL not in fired(0.0, -2.0, 5.0, 2.0)  # no bounce yet
    assert AlertType.REVERSAL not in fired(0.1, -2.0, 5.0, 0.9)  # bounce on thin volume
    assert AlertType.REVERSAL not in fired(0.1, -0.9, 5.0, 2.0)  # not a big enough fall


def test_alert_scores_run_from_half_at_threshold_to_one_at_double() -> None:
    assert fired(0.0, 0.0, 5.0, 3.000001)[AlertType.VOLUME_SPIKE] == pytest.approx(0.5)
    assert fired(0.0, 0.0, 5.0, 4.5)[AlertType.VOLUME_SPIKE] == pytest.approx(0.75)
    assert fired(0.0, 0.0, 5.0, 60.0)[AlertType.VOLUME_SPIKE] == 1.0
    assert fired(0.3, 0.0, 5.0, 0.0)[AlertType.MOMENTUM] == pytest.approx(1.0)
    assert fired(0.0, 0.0, 0.25, 0.0)[AlertType.BREAKOUT] == pytest.approx(0.75)
    assert fired(0.0, 0.0, -0.1, 0.0)[AlertType.BREAKOUT] == 1.0  # above a lagging 24 h high
    assert fired(0.1, -1.5, 5.0, 2.0)[AlertType.REVERSAL] == pytest.approx(0.75)
    assert len(ALERT_TYPES) == 4


@pytest.mark.parametrize("bad", [{"volume_spike_ratio": 1.0}, {"max_spread_pct": 0.0},
                                 {"momentum_threshold_pct": -0.1}, {"alert_cooldown_ms": -1},
                                 {"min_volume_24h": -5.0}])
def test_rules_refuse_nonsense(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        ScannerRules(**bad)  # type: ignore[arg-type]


def _messy(rng: np.random.Generator, n: int) -> np.ndarray:
    """Positive values with zeros, negatives and NaNs mixed in: the unknowns the rules must guard."""
    x = rng.uniform(0.5, 2.0, n)
    pick = rng.random(n)
    x[pick < 0.1] = np.nan
    x[(pick >= 0.1) & (pick < 0.15)] = 0.0
    x[(pick >= 0.15) & (pick < 0.2)] *= -1
    return x


def test_stacked_metrics_are_the_plain_formulas() -> None:
    rng = np.random.default_rng(3)
    n = 2000
    price, p1, p5, high, v1, v24 = (_messy(rng, n) for _ in range(6))
    with np.errstate(all="ignore"):
        want = [np.where((v24 > 0) & (v1 >= 0), v1 * 1440 / v24, 0.0),
                np.where(p1 > 0, (price - p1) / p1 * 100, 0.0),
                np.where(high > 0, (high - price) / high * 100, np.nan),
                np.where(p5 > 0, (price - p5) / p5 * 100, 0.0)]
    got = alert_metrics(price, p1, p5, high, v1, v24)
    for row, expected in zip(got, want, strict=True):
        np.testing.assert_allclose(row, expected, rtol=1e-12, equal_nan=True)
    one = alert_metrics(price[7], p1[7], p5[7], high[7], v1[7], v24[7])  # one pair: scalars
    np.testing.assert_array_equal(one, got[:, 7])


def test_the_screen_holds_every_alert_and_scores_follow_the_spec() -> None:
    rng = np.random.default_rng(5)
    metrics = np.array([rng.uniform(0, 6, 5000), rng.uniform(-0.5, 0.5, 5000), rng.uniform(-0.2, 1.0, 5000),
                        rng.uniform(-2.0, 2.0, 5000)])
    masks, screen = alert_masks(RULES, metrics), alert_screen(RULES, metrics)
    assert masks.shape == (4, 5000) and masks.any(axis=1).all()
    assert not (masks & ~screen).any()
    ratio, c1, dist, c5 = metrics
    np.testing.assert_array_equal(masks[0], ratio > 3.0)
    np.testing.assert_array_equal(masks[1], (c1 > 0.15) & (c1 > c5 / 5 * 1.5))
    np.testing.assert_array_equal(masks[2], dist < 0.5)
    np.testing.assert_array_equal(masks[3], (c5 <= -1.0) & (c1 > 0) & (ratio > 1))
    scores = alert_scores(RULES, metrics)
    want = np.clip([ratio / 3.0 / 2, c1 / 0.15 / 2, 0.5 + 0.5 * (1 - np.clip(dist, 0, None) / 0.5),
                    -c5 / 1.0 / 2], 0.5, 1.0)
    np.testing.assert_allclose(np.where(masks, scores, 0), np.where(masks, want, 0), rtol=1e-12)
