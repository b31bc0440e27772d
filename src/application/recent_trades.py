"""The trade journal, remembered: every completed trade goes to the real journal, and the last ones stay
in memory with a running count, for the operator's console (recent trades, a trade counter, a
notification per trade) without re-reading the journal's files.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence

from domain.position import CompletedTrade
from ports.journal import TradeJournal


class RecentTrades:
    """A TradeJournal that wraps another: `record` writes through first (durability is the inner
    journal's), then remembers the trade and tells the listeners (which must not raise)."""

    def __init__(self, inner: TradeJournal, *, keep: int = 200) -> None:
        self._inner = inner
        self._recent: deque[CompletedTrade] = deque(maxlen=keep)
        self.count = self.wins = 0  # trades recorded through this wrapper since start
        self.pnl_usdt = 0.0
        self._listeners: list[Callable[[CompletedTrade], None]] = []

    def record(self, trade: CompletedTrade) -> None:
        self._inner.record(trade)  # raises when it fails: the loop keeps the trade and retries
        self._recent.append(trade)
        self.count += 1
        self.wins += trade.pnl_usdt > 0
        self.pnl_usdt += trade.pnl_usdt
        for listener in self._listeners:
            listener(trade)

    def trades(self) -> Sequence[CompletedTrade]:
        return self._inner.trades()

    def recent(self, n: int) -> tuple[CompletedTrade, ...]:
        """The last n trades of this run, the most recent last."""
        return tuple(self._recent)[-n:] if n > 0 else ()

    def subscribe(self, listener: Callable[[CompletedTrade], None]) -> None:
        self._listeners.append(listener)

    def __getattr__(self, name: str) -> object:  # the inner journal's own extras (csv_path, problems)
        return getattr(self._inner, name)
