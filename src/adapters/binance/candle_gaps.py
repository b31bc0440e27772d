"""Kline bookkeeping per symbol: drop duplicate and out-of-order updates, find closed bars never seen.

A bar's updates only grow (trade count and volume), so an update whose (open time, trades, volume) is
not above the last one emitted brings nothing new: it is a duplicate or arrived late. A closed bar is
emitted once, and never after a later closed bar. Bars are aligned on the epoch, as on Binance.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.values import Candle

MAX_BACKFILL_BARS = 1000  # one REST klines page


@dataclass(frozen=True, slots=True)
class Gap:
    """Closed bars `first_open_ms..last_open_ms` (inclusive) that the stream never delivered."""

    symbol: str
    first_open_ms: int
    last_open_ms: int
    interval_ms: int = 60_000

    @property
    def bars(self) -> int:
        return (self.last_open_ms - self.first_open_ms) // self.interval_ms + 1


class KlineTracker:
    def __init__(self, interval_ms: int = 60_000) -> None:
        self._interval_ms = interval_ms
        self._last_closed: dict[str, int] = {}
        self._last_partial: dict[str, tuple[int, int, float]] = {}
        self._checked_until: dict[str, int] = {}

    def admit(self, candle: Candle) -> bool:
        """True when the update is new and must be emitted; records it."""
        symbol = candle.symbol
        last_closed = self._last_closed.get(symbol)
        if last_closed is not None and candle.open_time_ms <= last_closed:
            return False
        if candle.closed:
            self._last_closed[symbol] = candle.open_time_ms
            return True
        key = (candle.open_time_ms, candle.trades, candle.volume)
        previous = self._last_partial.get(symbol)
        if previous is not None and key <= previous:
            return False
        self._last_partial[symbol] = key
        return True

    def last_closed_open_ms(self, symbol: str) -> int | None:
        return self._last_closed.get(symbol)

    def _known_until(self, symbol: str) -> int | None:
        last_closed = self._last_closed.get(symbol)
        checked = self._checked_until.get(symbol)
        if last_closed is None:
            return None
        return last_closed if checked is None else max(last_closed, checked)

    def _gap(self, symbol: str, last_open_ms: int) -> Gap | None:
        known = self._known_until(symbol)
        if known is None or last_open_ms <= known:
            return None
        first = max(known + self._interval_ms, last_open_ms - (MAX_BACKFILL_BARS - 1) * self._interval_ms)
        return Gap(symbol, first, last_open_ms, self._interval_ms)

    def gap_before(self, candle: Candle) -> Gap | None:
        """Closed bars between the last one seen and this update's bar, if any went missing."""
        return self._gap(candle.symbol, candle.open_time_ms - self._interval_ms)

    def missed_until(self, symbol: str, server_time_ms: int) -> Gap | None:
        """Bars closed before `server_time_ms` and after the last one seen (after an outage)."""
        last_closed_open = (server_time_ms - self._interval_ms) // self._interval_ms * self._interval_ms
        return self._gap(symbol, last_closed_open)

    def mark_checked(self, gap: Gap) -> None:
        """The gap was fetched (or could not be): do not ask for it again."""
        self._checked_until[gap.symbol] = max(self._checked_until.get(gap.symbol, gap.last_open_ms),
                                              gap.last_open_ms)

    def forget(self, symbol: str) -> None:
        self._last_closed.pop(symbol, None)
        self._last_partial.pop(symbol, None)
        self._checked_until.pop(symbol, None)
