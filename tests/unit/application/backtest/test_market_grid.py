"""The market grid's next bar, read without building a candle, is the next bar's open, volume and time."""

from __future__ import annotations

import numpy as np

from application.backtest.market_grid import BacktestMarket
from domain.features import KlineArrays


def test_the_next_open_is_the_next_bars_open_volume_and_time_and_none_across_a_gap() -> None:
    times = np.array([0, 1, 2, 5, 6], dtype=np.int64) * 60_000
    close = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    market = BacktestMarket.build({"AAAUSDT": KlineArrays(times, close + 0.5, close + 1, close - 1, close,
                                                          np.array([10.0, 11, 12, 13, 14]))})
    seen = [market.next_open(0, t) for t in range(len(market.minutes))]
    expected = [None if (bar := market.next_bar(0, t)) is None else (bar.open, bar.volume, bar.open_time_ms)
                for t in range(len(market.minutes))]
    assert seen == expected == [(2.5, 11.0, 60_000), (3.5, 12.0, 120_000), None, (5.5, 14.0, 360_000), None]


def test_the_bar_and_next_open_are_the_candle_and_the_next_open_of_one_lookup() -> None:
    times = np.array([0, 1, 2, 5, 6], dtype=np.int64) * 60_000
    close = np.array([11.0, 12.0, 13.0, 14.0, 15.0])  # every bar a valid candle
    market = BacktestMarket.build({"AAAUSDT": KlineArrays(times, close + 0.5, close + 1, close - 1, close,
                                                          np.array([10.0, 11, 12, 13, 14]))})
    for t in range(len(market.minutes)):
        following, candle = market.next_open(0, t), market.candle(0, t)
        expected = None if following is None or candle is None else (candle, following)
        assert repr(market.bar_and_next_open(0, t)) == repr(expected)  # repr: NaN volumes compare equal
