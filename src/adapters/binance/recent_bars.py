"""The closed 1m bars each watched symbol received, so `recent_candles` rarely needs REST.

Only what the feed itself needs: the bot's view of the market (books, trades, partial bars) is kept by
application/market_memory.py from the feed's events.
"""

from __future__ import annotations

from collections import deque
from itertools import pairwise

from domain.values import Candle


class RecentBars:
    def __init__(self, kept: int = 1000) -> None:
        self._kept = kept
        self._bars: dict[str, deque[Candle]] = {}

    def add(self, candle: Candle) -> None:
        """Keep a closed bar (partial ones are ignored); O(1)."""
        if not candle.closed:
            return
        bars = self._bars.get(candle.symbol)
        if bars is None:
            bars = self._bars[candle.symbol] = deque(maxlen=self._kept)
        if not bars or candle.open_time_ms > bars[-1].open_time_ms:
            bars.append(candle)

    def merge(self, symbol: str, candles: list[Candle]) -> None:
        """Fold REST bars into the kept ones (sorted, one bar per open time)."""
        by_open = {c.open_time_ms: c for c in self._bars.get(symbol, ())}
        by_open.update((c.open_time_ms, c) for c in candles if c.closed)
        self._bars[symbol] = deque((by_open[t] for t in sorted(by_open)), maxlen=self._kept)

    def forget(self, symbol: str) -> None:
        self._bars.pop(symbol, None)

    def last(self, symbol: str, limit: int) -> list[Candle] | None:
        """The last `limit` closed bars if they are kept without a hole, else None."""
        if limit <= 0:
            return []
        bars = self._bars.get(symbol)
        if bars is None or len(bars) < limit:
            return None
        tail = list(bars)[-limit:]
        for before, after in pairwise(tail):
            if after.open_time_ms - before.open_time_ms != before.interval_ms:
                return None
        return tail
