"""The scanner's table: one row per symbol of the universe, one numpy array per column.

Rows are allocated once (`capacity`); a universe refresh frees the rows of dropped symbols and hands
free rows to new ones, keeping the state of the symbols that stay.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from domain.scanner_history import FloatArray, IntArray


class ScannerRows:
    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError(f"capacity must be >= 1, got {capacity}")
        self.capacity = capacity
        self.index: dict[str, int] = {}
        self.symbol_of: list[str | None] = [None] * capacity
        self._free = list(range(capacity - 1, -1, -1))
        self.active_rows: IntArray = np.empty(0, dtype=np.intp)

        def column() -> FloatArray:
            return np.full(capacity, np.nan)

        # the last ticker of each row, laid out as a TickerTable's `values` (close, open, high, low,
        # volume, quote volume) so that a frame is stored with one assignment; named views below
        self.last_ticker = np.full((6, capacity), np.nan)
        self.price = self.last_ticker[0]
        self.high_24h = self.last_ticker[2]
        self.low_24h = self.last_ticker[3]
        self.volume_24h = self.last_ticker[5]  # quote asset
        self.bid = column()
        self.ask = column()
        self.cum_volume = column()  # estimated quote volume traded since the row was first updated
        self.candle_volume = column()  # quote volume of the latest closed 1m candle
        self.candle_close_ms = np.full(capacity, np.iinfo(np.int64).min // 2, dtype=np.int64)
        self.updated_ms = np.full(capacity, np.iinfo(np.int64).min // 2, dtype=np.int64)

    @property
    def symbols(self) -> tuple[str, ...]:
        """The universe, in the order `quick_scores()` uses."""
        return tuple(self.symbol_of[r] or "" for r in self.active_rows)

    def set_symbols(self, symbols: Iterable[str]) -> tuple[list[str], list[str]]:
        """Make `symbols` the universe. Returns (added, removed)."""
        wanted = list(dict.fromkeys(symbols))
        wanted_set = set(wanted)
        removed = [s for s in self.index if s not in wanted_set]
        added = [s for s in wanted if s not in self.index]
        if len(self.index) - len(removed) + len(added) > self.capacity:
            raise ValueError(f"universe of {len(wanted)} symbols exceeds the scanner capacity "
                             f"{self.capacity}")
        for symbol in removed:
            row = self.index.pop(symbol)
            self.symbol_of[row] = None
            self._forget(np.array([row], dtype=np.intp))
            self._free.append(row)
        for symbol in added:
            row = self._free.pop()
            self.index[symbol] = row
            self.symbol_of[row] = symbol
        self.active_rows = np.array([self.index[s] for s in wanted], dtype=np.intp)
        return added, removed

    def _forget(self, rows: IntArray) -> None:
        self.last_ticker[:, rows] = np.nan
        for col in (self.bid, self.ask, self.cum_volume, self.candle_volume):
            col[rows] = np.nan
        self.candle_close_ms[rows] = np.iinfo(np.int64).min // 2
        self.updated_ms[rows] = np.iinfo(np.int64).min // 2
