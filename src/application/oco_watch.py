"""When to ask the exchange how a position's OCO stands (a REST poll), at a bounded rate per position.

- Without a healthy stream of order events (`polling`): every `interval_ms`, as always.
- With one, the stream says when a leg fills, so the bot does not ask; except when the market went
  through one of the legs and, for a whole interval since, no event said so: Binance can lose user-data
  events on a live socket (the position would otherwise wait for its timeout or the next reconcile).
- A reconcile that found the OCO gone asks for one poll at the position's next tick (`request`), stream
  or not: its own poll may have been skipped because the position's lane was busy.
"""

from __future__ import annotations

from domain.position import ExitReason

_LEG_PRICES = frozenset({ExitReason.TP, ExitReason.SL})  # the market is at or beyond an OCO leg


class OcoWatch:
    def __init__(self, interval_ms: int) -> None:
        self.interval_ms = interval_ms
        self.polling = True  # no healthy stream of order events: poll every open OCO
        self._last_ms: dict[str, int] = {}
        self._crossed_ms: dict[str, int] = {}  # when the market first went through a leg, stream healthy
        self._due: set[str] = set()

    def opened(self, symbol: str, entry_time_ms: int) -> None:
        self._last_ms[symbol] = entry_time_ms

    def request(self, symbol: str) -> None:
        self._due.add(symbol)

    def due(self, symbol: str, market: ExitReason | None, now_ms: int) -> bool:
        """Poll now? `market`: the exit the last prices point to (TP/SL: through a leg), if any."""
        if symbol in self._due:
            return True
        since = self._last_ms.get(symbol, 0)
        if not self.polling:
            if market not in _LEG_PRICES:
                self._crossed_ms.pop(symbol, None)
                return False
            since = max(since, self._crossed_ms.setdefault(symbol, now_ms))
        return now_ms - since >= self.interval_ms

    def polled(self, symbol: str, now_ms: int) -> None:
        self._last_ms[symbol] = now_ms
        self._due.discard(symbol)

    def forget(self, symbol: str) -> None:
        self._last_ms.pop(symbol, None)
        self._crossed_ms.pop(symbol, None)
        self._due.discard(symbol)
