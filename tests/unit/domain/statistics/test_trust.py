"""A candidate's trust figures: best days, the market-drift benchmark, per period, break-even and tiers."""

from __future__ import annotations

import numpy as np
import pytest

from domain.statistics.break_even import FeeTier, break_even
from domain.statistics.trust import Costing, Trades, trust_figures, without_best_days
from domain.time_units import DAY_MS

COSTING = Costing(round_trip_pct=0.24, maker_entry=False, slippage_pct=0.02)


def _trades(seed: int, shift: float, days: int = 70, per_day: int = 30) -> Trades:
    rng = np.random.default_rng(seed)
    day = np.repeat(np.arange(days), per_day)
    time = (day * DAY_MS + rng.integers(0, DAY_MS, len(day))).astype(np.int64)
    net = rng.normal(0, 0.3, days)[day] + rng.normal(0, 1.0, len(day)) + shift
    period = np.where(day < days // 2, "first", "second")
    return Trades(net, time, period)


def test_a_planted_edge_over_the_drift_is_found() -> None:
    market = _trades(1, -0.24)
    candidate = Trades(market.net_pct + 0.5, market.time_ms, market.period)
    figures = trust_figures(candidate, market, COSTING)
    assert figures.weekly.ci_low > 0 and figures.excess.ci_low > 0
    assert figures.excess.mean == pytest.approx(0.5)
    assert figures.break_even.round_trip_pct == pytest.approx(candidate.net_pct.mean() + 0.24)
    assert [name for name, _ in figures.per_period] == ["first", "second"]
    assert figures.detectable_pct > 0


def test_beta_is_not_skill() -> None:
    """A bull stretch: every bar's trade earns; the candidate earns the same and shows no excess."""
    market = _trades(2, 0.3)
    figures = trust_figures(market, market, COSTING)
    assert figures.weekly.ci_low > 0
    assert figures.excess.mean == pytest.approx(0.0, abs=1e-12)


def test_nothing_planted_is_not_found() -> None:
    nothing = _trades(3, 0.0)
    figures = trust_figures(nothing, nothing, COSTING)
    assert figures.weekly.ci_low < 0 < figures.weekly.ci_high
    assert figures.sign_flip_p > 0.05
    assert figures.bootstrap.low < 0 < figures.bootstrap.high


def test_without_the_best_five_days() -> None:
    net = np.array([10.0, 1.0, 9.0, 8.0, 7.0, 6.0, -1.0, 0.5])
    time = np.arange(8, dtype=np.int64) * DAY_MS
    rest = without_best_days(Trades(net, time, np.array(["p"] * 8)))
    assert sorted(rest.net_pct.tolist()) == [-1.0, 0.5, 1.0]


def test_break_even_and_the_tiers_that_pay() -> None:
    tiers = (FeeTier("regular", 0.1, 0.1), FeeTier("cheap", 0.02, 0.04), FeeTier("zero", 0.0, 0.0))
    result = break_even(-0.1, 0.24, maker_entry=False, slippage_pct=0.02, tiers=tiers)
    assert result.round_trip_pct == pytest.approx(0.14)
    assert [t.pays for t in result.tiers] == [False, True, True]
    assert result.tiers[1].round_trip_pct == pytest.approx(0.12)
    assert result.cheapest_paying == "cheap"
    maker = break_even(-0.1, 0.24, maker_entry=True, slippage_pct=0.02, tiers=tiers)
    assert maker.tiers[1].round_trip_pct == pytest.approx(0.02 + 0.04 + 0.02)
    assert break_even(-1.0, 0.24, maker_entry=False, slippage_pct=0.0, tiers=tiers).cheapest_paying is None
