from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from domain.position import CompletedTrade


class TradeJournal(Protocol):
    """Append-only history of completed trades; each record is durable once `record` returns."""

    def record(self, trade: CompletedTrade) -> None: ...

    def trades(self) -> Sequence[CompletedTrade]: ...
