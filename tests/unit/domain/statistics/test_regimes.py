"""Market regimes on hand-made closes: the equal-weighted index, known labels, and no look-ahead (changing
bars not yet closed at a time never changes the regime at that time)."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import pytest

from domain.statistics.regimes import RegimeRules, market_index, market_states, per_regime
from domain.time_units import DAY_MS

M = 60_000
RULES = RegimeRules(window_minutes=4, drift_band_pct=1.0, baseline_minutes=12)


def closes() -> npt.NDArray[np.float64]:
    """20 flat bars, 4 bars of +1%, then 4 bars alternating +2% / -2%."""
    steps = [1.0] * 20 + [1.01] * 4 + [1.02, 0.98] * 2
    return 100 * np.cumprod(steps)


def times(n: int) -> npt.NDArray[np.int64]:
    return np.arange(n, dtype=np.int64) * M


def test_the_index_is_the_mean_of_the_pairs_log_returns_where_they_have_one() -> None:
    a = np.array([100.0, 110.0, 121.0, 121.0])
    b = np.array([50.0, 50.0, 45.0])
    b_times = np.array([0, M, 3 * M], dtype=np.int64)  # a hole: no return for b at its third bar
    index = market_index([times(4), b_times], [a, b])
    assert index.close_ms.tolist() == [2 * M, 3 * M, 4 * M]  # bars 1..3 (close = open + a minute)
    assert index.log_return == pytest.approx([math.log(1.1) / 2, math.log(1.1), 0.0])


def test_known_regimes_of_a_flat_then_rising_then_choppy_market() -> None:
    c = closes()
    index = market_index([times(len(c))], [c])
    at = np.array([1 * M, 20 * M, 24 * M, 28 * M], dtype=np.int64)
    states = market_states(index, at, RULES)
    # 1M: no return closed yet; 20M: flat, no moves; 24M: four +1% bars (drift +4.06%), all alike (no
    # spread) against a baseline that had both flat and rising bars; 28M: +2%/-2% x2 is -0.08%, choppy.
    assert states.drift.tolist() == ["unknown", "flat", "up", "flat"]
    assert states.volatility.tolist() == ["unknown", "low", "low", "high"]
    assert states.combined.tolist()[2] == "up, low volatility"
    falling = market_states(market_index([times(len(c))], [c[::-1].copy()]), np.array([8 * M]), RULES)
    assert falling.drift.tolist() == ["down"]  # the choppy bars then -1% ones, read backwards


def test_a_regime_reads_only_the_bars_closed_by_its_time() -> None:
    c = closes()
    at = np.arange(2, 25, dtype=np.int64) * M  # every time up to bar 23's close
    before = market_states(market_index([times(len(c))], [c]), at, RULES)
    changed = c.copy()
    changed[24:] *= np.array([3.0, 0.2, 5.0, 0.1])  # bars 24..27: not closed by 24M
    after = market_states(market_index([times(len(c))], [changed]), at, RULES)
    assert before.drift.tolist() == after.drift.tolist()
    assert before.volatility.tolist() == after.volatility.tolist()
    moved = market_states(market_index([times(len(c))], [changed]), np.array([28 * M]), RULES)
    assert moved.drift.tolist() != ["flat"]  # the later time does see them


def test_figures_per_regime_are_clustered_means_of_each_regimes_trades() -> None:
    net = np.array([1.0, 2.0, 3.0, -4.0, 0.5])
    when = np.array([0, 1, 2, 3, 4], dtype=np.int64) * DAY_MS
    regime = np.array(["up", "up", "down", "flat", "up"])
    figures = dict(per_regime(net, when, regime, DAY_MS))
    assert list(figures) == ["down", "flat", "up"]
    assert figures["up"].count == 3 and figures["up"].clusters == 3
    assert figures["up"].mean == pytest.approx(3.5 / 3)
    assert figures["down"].count == 1 and math.isnan(figures["down"].se)  # one cluster: no interval
