"""The dust's prices in a replay: each symbol's last close at or before the minute replayed."""

from __future__ import annotations

import numpy as np
import pytest

from application.backtest import grid_prices
from application.backtest.grid_prices import GridPrices
from application.backtest.market_grid import BacktestMarket
from domain.features import KlineArrays


def _klines(minutes: list[int], closes: list[float]) -> KlineArrays:
    times = np.array(minutes, dtype=np.int64) * 60_000
    close = np.array(closes)
    return KlineArrays(times, close, close, close, close, np.ones(len(close)))


def test_a_gap_keeps_the_last_close_and_no_bar_yet_has_no_price() -> None:
    market = BacktestMarket.build({"AAAUSDT": _klines([0, 1, 2, 3, 4, 5], [1, 2, 3, 4, 5, 6]),
                                   "BBBUSDT": _klines([2, 5], [20, 50])})
    prices = GridPrices(market)
    seen = []
    for t in range(6):
        prices.move_to(t)
        seen.append((prices.price("AAAUSDT"), prices.price("BBBUSDT")))
    assert seen == [(1, None), (2, None), (3, 20), (4, 20), (5, 20), (6, 50)]
    assert prices.price("CCCUSDT") is None


def test_prices_across_blocks_and_moves_once_a_minute(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(grid_prices, "BLOCK_MINUTES", 2)
    market = BacktestMarket.build({"AAAUSDT": _klines([0, 1, 2, 3, 4], [1, 2, 3, 4, 5]),
                                   "BBBUSDT": _klines([0, 4], [10, 40])})
    prices = GridPrices(market)
    prices.move_to(3)
    assert prices.moves() is None and prices.moves() == set()
    assert (prices.price("AAAUSDT"), prices.price("BBBUSDT")) == (4, 10)  # a block starting in a gap
    prices.move_to(4)
    assert prices.moves() is None
    assert (prices.price("AAAUSDT"), prices.price("BBBUSDT")) == (5, 40)


def test_prices_of_many_symbols_at_once_are_the_prices_one_by_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(grid_prices, "BLOCK_MINUTES", 2)
    market = BacktestMarket.build({"AAAUSDT": _klines([0, 1, 2, 3, 4], [1, 2, 3, 4, 5]),
                                   "BBBUSDT": _klines([2, 4], [10, 40])})
    prices = GridPrices(market)
    symbols = ("BBBUSDT", "AAAUSDT")
    for t in range(5):
        prices.move_to(t)
        at_once = [None if np.isnan(p) else p for p in prices.prices(symbols)]
        assert at_once == [prices.price(s) for s in symbols]
    assert prices.prices(("CCCUSDT", "AAAUSDT"))[1] == 5 and np.isnan(prices.prices(("CCCUSDT",))[0])


def test_prices_along_minutes_are_the_prices_of_each_minute(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(grid_prices, "BLOCK_MINUTES", 2)
    market = BacktestMarket.build({"AAAUSDT": _klines([0, 1, 2, 3, 4, 5], [1, 2, 3, 4, 5, 6]),
                                   "BBBUSDT": _klines([2, 5], [20, 50])})
    prices = GridPrices(market)
    symbols, minutes = ("BBBUSDT", "CCCUSDT", "AAAUSDT"), [1, 2, 4, 5]  # wider than a block
    along = prices.along(symbols, minutes)
    for j, t in enumerate(minutes):
        prices.move_to(t)
        assert along[:, j].tolist()[::2] == [p if p is not None else pytest.approx(np.nan, nan_ok=True)
                                             for p in (prices.price("BBBUSDT"), prices.price("AAAUSDT"))]
    assert np.isnan(along[1]).all() and prices.along(symbols, []).shape == (3, 0)


def test_the_column_by_rows_holds_each_price_and_a_zero_close_is_no_price() -> None:
    market = BacktestMarket.build({"AAAUSDT": _klines([0, 1, 2], [1, 0, 3]),
                                   "BBBUSDT": _klines([1, 2], [20, 30])})
    prices = GridPrices(market)
    rows = {s: prices.prices.row_of(s) for s in ("AAAUSDT", "BBBUSDT", "CCCUSDT")}
    assert np.isnan(prices.prices.column()).all()  # no minute replayed yet
    for t in range(3):
        prices.move_to(t)
        column = prices.prices.column()
        assert [None if np.isnan(column[r]) else column[r] for r in rows.values()] == \
            [prices.price(s) for s in rows]
    prices.move_to(1)
    assert prices.price("AAAUSDT") is None and np.isnan(prices.prices(["AAAUSDT"])[0])


def test_every_block_holds_each_symbols_last_close_gapped_or_not(monkeypatch: pytest.MonkeyPatch) -> None:
    """Symbols with a bar every minute of a block and symbols with gaps (or none yet) side by side: each
    price is the last close at or before the minute, whichever minute a block starts at."""
    monkeypatch.setattr(grid_prices, "BLOCK_MINUTES", 5)
    rng = np.random.default_rng(7)
    bars = {"FULLUSDT": list(range(20)), "GAPSUSDT": sorted(rng.choice(20, 9, replace=False).tolist()),
            "LATEUSDT": list(range(12, 20)), "ZEROUSDT": [0, 3, 4]}
    market = BacktestMarket.build({s: _klines(m, [float(m_ + 1) if s != "ZEROUSDT" else 0.0 for m_ in m])
                                   for s, m in bars.items()})
    for first in (0, 3, 7, 11, 16):
        prices = GridPrices(market)
        for t in range(first, 20):
            prices.move_to(t)
            for symbol, minutes in bars.items():
                before = [m for m in minutes if m <= t]
                expected = float(before[-1] + 1) if before and symbol != "ZEROUSDT" else None
                assert prices.price(symbol) == expected, (first, t, symbol)
