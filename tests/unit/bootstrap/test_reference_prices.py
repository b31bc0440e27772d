"""reference_prices finds every symbol's first present minute in one pass: the same prices as one search
per symbol, gaps, late starts, early ends and a t0 past the grid included."""

from __future__ import annotations

import numpy as np

from application.backtest.market_grid import BacktestMarket
from bootstrap.backtest_wiring import reference_prices
from domain.features import KlineArrays


def bars(minutes: list[int], first_close: float) -> KlineArrays:
    times = np.array(minutes, dtype=np.int64) * 60_000
    close = first_close + np.arange(len(minutes), dtype=float)
    return KlineArrays(times, close, close + 1, close - 1, close, np.ones(len(minutes)))


def plain_reference_prices(market: BacktestMarket, t0: int) -> dict[str, float]:
    out = {}
    for i, symbol in enumerate(market.symbols):
        k = market.klines[symbol]
        present = np.flatnonzero(market.rows[i, t0:] >= 0)
        row = int(market.rows[i, t0 + int(present[0])]) if present.size else len(k) - 1
        out[symbol] = float(k.close[row])
    return out


def test_the_first_close_from_t0_or_the_last_before_it() -> None:
    market = BacktestMarket.build({"AAAUSDT": bars([0, 1, 2, 3, 4, 5, 6, 7], 10.0),
                                   "BBBUSDT": bars([3, 6], 20.0),  # a gap, a late start
                                   "CCCUSDT": bars([0, 1], 30.0)})  # ends early
    for t0 in range(len(market.minutes) + 2):
        assert reference_prices(market, t0) == plain_reference_prices(market, t0), t0
    assert reference_prices(market, 2) == {"AAAUSDT": 12.0, "BBBUSDT": 20.0, "CCCUSDT": 31.0}
