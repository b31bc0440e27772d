"""The scanner's table: one row per symbol of the universe, one numpy array per column.

Rows are allocated once (`capacity`); a universe refresh frees the rows of dropped symbols and hands
free rows to new ones, keeping the state of the symbols that stay.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from domain.scanner_history import IntArray
from domain.values import BookTop

NEVER_MS = np.iinfo(np.int64).min // 2  # a time long before any data: differences never overflow
# rows of ScannerRows.floats after the six ticker values, and of ScannerRows.ints
BID, ASK, CUM_VOLUME, CANDLE_VOLUME = 6, 7, 8, 9
FLOAT_ROWS = 10
UPDATED_MS, CANDLE_CLOSE_MS, LAST_ALERT_MS = 0, 1, 2  # LAST_ALERT_MS: one row per alert type from here
INT_ROWS = 6


class ScannerRows:
    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError(f"capacity must be >= 1, got {capacity}")
        self.capacity = capacity
        self.index: dict[str, int] = {}
        self.symbol_of: list[str | None] = [None] * capacity
        self._free = list(range(capacity - 1, -1, -1))
        self.active_rows: IntArray = np.empty(0, dtype=np.intp)

        # Two blocks hold every column (named views below): a compiled frame kernel takes the whole state
        # in two arguments. Floats: the last ticker of each row, laid out as a TickerTable's `values`
        # (close, open, high, low, volume, quote volume) so that a frame is stored with one assignment,
        # then the book and the volume estimates. Ints: times, then the scanner's alert cooldowns.
        self.floats = np.full((FLOAT_ROWS, capacity), np.nan)
        self.ints = np.full((INT_ROWS, capacity), NEVER_MS, dtype=np.int64)
        self.last_ticker = self.floats[:6]
        self.price = self.floats[0]
        self.high_24h = self.floats[2]
        self.low_24h = self.floats[3]
        self.volume_24h = self.floats[5]  # quote asset
        self.bid = self.floats[BID]
        self.ask = self.floats[ASK]
        self.cum_volume = self.floats[CUM_VOLUME]  # estimated quote volume traded since the first update
        self.candle_volume = self.floats[CANDLE_VOLUME]  # quote volume of the latest closed 1m candle
        self.updated_ms = self.ints[UPDATED_MS]
        self.candle_close_ms = self.ints[CANDLE_CLOSE_MS]

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

    def on_book_top(self, top: BookTop) -> None:
        row = self.index.get(top.symbol)
        if row is not None:
            self.bid[row] = top.bid
            self.ask[row] = top.ask

    def forget_book(self, symbol: str) -> None:
        """The book went stale: its spread is unknown again."""
        row = self.index.get(symbol)
        if row is not None:
            self.bid[row] = self.ask[row] = np.nan

    def _forget(self, rows: IntArray) -> None:
        self.floats[:, rows] = np.nan
        self.ints[:, rows] = NEVER_MS
