"""The recorded market's price of each symbol at the minute replayed: what a replay values the dust at, so
equity never depends on which symbols the loop happens to watch (the last price the loop saw of a symbol
it no longer watches is stale).

A symbol's price at minute t is its last close at or before t (a gap keeps the price before it). The
prices are kept one block of minutes at a time, all symbols at once; valuing the dust asks a few times a
minute, and every price may move only when the minute does. The dust reads them by grid row (`prices`:
a PricesByRow), so no symbol's name is looked up a minute; a close of 0 reads as no price (NaN), as the
dust takes it anyway.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import cast

import numpy as np
import numpy.typing as npt

from application.backtest.market_grid import BacktestMarket
from application.dust_batch import Floats

BLOCK_MINUTES = 1440


class GridPrices:
    def __init__(self, market: BacktestMarket) -> None:
        self._market = market
        self._last = len(market.minutes) - 1  # the last minute
        self._index = {s: i for i, s in enumerate(market.symbols)}
        self._t = self._valued_t = self._column_t = -1
        # The block: a minute a row (one minute's prices contiguous), a symbol a column, the last all NaN.
        self._start, self._span, self._by_minute = 0, 0, np.empty((0, len(market.symbols) + 1))
        self._closes = [market.klines[s].close for s in market.symbols]
        self._column: list[float] = []
        self._asked: tuple[Sequence[str], npt.NDArray[np.intp]] | None = None  # the last symbols and rows
        self.prices = RowPrices(self)  # what the dust is valued at (by names, or by rows)

    def move_to(self, t: int) -> None:
        """The replay is at minute `t` now."""
        self._t = t if t < self._last else self._last

    def version(self) -> int:
        """The minute replayed: every price moves with it, none without (the dust's prices version)."""
        return self._t

    def price(self, symbol: str) -> float | None:
        s = self._index.get(symbol)
        if s is None or self._t < 0:
            return None
        if self._column_t != self._t:
            self._column, self._column_t = self._block_column().tolist(), self._t
        price = self._column[s]
        return None if math.isnan(price) else price

    def prices_of(self, symbols: Sequence[str]) -> npt.NDArray[np.float64]:
        """`price` of each symbol at once, NaN where it has none (asked again with the same symbols, the
        rows are looked up once)."""
        if self._t < 0:
            return np.full(len(symbols), np.nan)
        rows = self._rows_of(symbols)
        return self._block_column()[rows]

    def row_of(self, symbol: str) -> int:
        """`symbol`'s row of `column` (the last row, always NaN, when it is not in the market)."""
        return self._index.get(symbol, len(self._index))

    def column(self) -> npt.NDArray[np.float64]:
        """Every row's price at the minute replayed (NaN where none, and for the last row)."""
        at = self._t - self._start
        if self._t >= 0 and 0 <= at < self._span:  # asked once a minute: the block's row at once
            column: npt.NDArray[np.float64] = self._by_minute[at]
            return column
        if self._t < 0:
            return np.full(len(self._index) + 1, np.nan)
        return self._block_column()

    def along(self, symbols: Sequence[str], minutes: Sequence[int]) -> npt.NDArray[np.float64]:
        """(symbols, minutes): `prices` at each of `minutes` (increasing, less than a block apart)."""
        if not minutes:
            return np.empty((len(symbols), 0))
        first, last = minutes[0], minutes[-1]
        if not self._start <= first <= last < self._start + self._span:
            self._load(first, last - first + 1)
        # Two takes (the minutes' rows, then the symbols' columns): ~2.5x cheaper than one 2-D fancy index.
        by_minute = self._by_minute.take(np.subtract(minutes, self._start), axis=0)
        out: npt.NDArray[np.float64] = by_minute.take(self._rows_of(symbols), axis=1).T
        return out

    def _rows_of(self, symbols: Sequence[str]) -> npt.NDArray[np.intp]:
        """Each symbol's row of the block (its last row, all NaN: not in the market); asked again with the
        same symbols, not looked up."""
        asked = self._asked
        if asked is None or asked[0] is not symbols:
            index, missing = self._index, len(self._index)
            asked = self._asked = (symbols, np.array([index.get(s, missing) for s in symbols], dtype=np.intp))
        return asked[1]

    def _block_column(self) -> npt.NDArray[np.float64]:
        if not self._start <= self._t < self._start + self._span:
            self._load(self._t)
        column: npt.NDArray[np.float64] = self._by_minute[self._t - self._start]
        return column

    def _load(self, t0: int, at_least: int = 0) -> None:
        self._start, self._by_minute = t0, self._closes_from(t0, at_least)
        self._span = len(self._by_minute)

    def moves(self) -> set[str] | None:
        """For the dust's valuation: every price may have moved (None) when the minute did, none within."""
        if self._t == self._valued_t:
            return set()
        self._valued_t = self._t
        return None

    def _closes_from(self, t0: int, at_least: int = 0) -> npt.NDArray[np.float64]:
        """(minutes t0 .. t0 + BLOCK_MINUTES - 1, or more if asked; symbols + 1): each symbol's last close
        at or before; the last column is all NaN (the price of a symbol not in the market)."""
        market = self._market
        rows = market.rows[:, t0:t0 + max(BLOCK_MINUTES, at_least)].copy()
        start = market.minutes[t0]
        for s in np.flatnonzero(rows[:, 0] < 0).tolist():  # no bar at t0: the last one before it, if any
            rows[s, 0] = int(np.searchsorted(market.klines[market.symbols[s]].open_time_ms, start,
                                             side="right")) - 1
        # A symbol's rows rise with the minutes: one with a bar every minute of the block reads a slice of
        # its closes; only one with a gap (or no bar yet) carries its last row forward and is gathered.
        gapped = (rows < 0).any(axis=1)
        gaps = np.flatnonzero(gapped)
        if len(gaps):
            rows[gaps] = np.maximum.accumulate(rows[gaps], axis=1)
        none = rows < 0
        np.maximum(rows, 0, out=rows)
        width, out = rows.shape[1], np.empty((len(market.symbols) + 1, rows.shape[1]))
        has_gap = cast("list[bool]", gapped.tolist())  # numpy types tolist() of bools loosely
        for s, (closes, gap, first, last) in enumerate(zip(self._closes, has_gap, rows[:, 0].tolist(),
                                                           rows[:, -1].tolist(), strict=True)):
            if not gap and last - first == width - 1:  # rising by at least 1 a minute: first, first + 1, ...
                out[s] = closes[first:first + width]
            else:
                closes.take(rows[s], out=out[s])
        out[-1] = np.nan
        out[:-1][none] = np.nan
        out[out == 0] = np.nan  # no price: what the dust's valuation makes of a 0 anyway
        return np.ascontiguousarray(out.T)


class RowPrices:
    """GridPrices as the dust asks: by names (`prices_of`) or by rows (dust_batch.PricesByRow)."""

    __slots__ = ("_grid", "column", "row_of")

    def __init__(self, grid: GridPrices) -> None:
        self._grid = grid
        self.row_of, self.column = grid.row_of, grid.column  # no frame between the dust and the grid

    def __call__(self, symbols: Sequence[str]) -> Floats:
        return self._grid.prices_of(symbols)

