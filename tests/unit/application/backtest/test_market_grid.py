"""A candidate's bar and the next bar's open, volume and time, read with one lookup and no candle built for
the next bar; None where either bar is missing."""

from __future__ import annotations

import numpy as np

from application.backtest.market_grid import BacktestMarket
from domain.features import KlineArrays


def test_the_bar_is_the_candle_and_the_next_open_is_the_next_bars_none_across_a_gap() -> None:
    times = np.array([0, 1, 2, 5, 6], dtype=np.int64) * 60_000
    close = np.array([11.0, 12.0, 13.0, 14.0, 15.0])  # every bar a valid candle
    market = BacktestMarket.build({"AAAUSDT": KlineArrays(times, close + 0.5, close + 1, close - 1, close,
                                                          np.array([10.0, 11, 12, 13, 14]))})
    found = [market.bar_and_next_open(0, t) for t in range(len(market.minutes))]
    assert [None if f is None else f[1] for f in found] == [
        (12.5, 11.0, 60_000), (13.5, 12.0, 120_000), None, (15.5, 14.0, 360_000), None]
    for t, f in enumerate(found):
        if f is not None:
            assert repr(f[0]) == repr(market.candle(0, t))  # repr: NaN volumes compare equal
