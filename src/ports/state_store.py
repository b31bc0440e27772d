"""The durable memory of a trading run (issue 14): what must survive a kill -9 and a restart.

Every write is durable when the call returns (adapters.storage.state_store: SQLite, WAL,
synchronous=FULL). Dust lots are (quantity, average price, entry fees in USDT).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, Protocol

from domain.position import CompletedTrade, Position
from domain.trading_state import Ban, IntentState, OrderIntent

StoredLot = tuple[Decimal, float, float]


class StateStore(Protocol):
    # -- orders: the intent is on disk before the order leaves --------------------------------------------
    def record_intent(self, intent: OrderIntent) -> None:
        """Write an order intent; an intent already known (a retry, same client id) is kept as it is."""
        ...

    def record_outcome(self, client_id: str, state: IntentState, *, order_id: int = -1,
                       executed: Decimal = Decimal(0), cumulative_quote: Decimal = Decimal(0)) -> None: ...

    def intent(self, client_id: str) -> OrderIntent | None: ...

    def unresolved_intents(self) -> Sequence[OrderIntent]:
        """Intents whose order may still be working or whose fate is unknown, oldest first."""
        ...

    def intents_for(self, symbol: str) -> Sequence[OrderIntent]:
        """Every intent of a symbol, oldest first."""
        ...

    # -- open positions (with their OCO list id) ----------------------------------------------------------
    def save_position(self, position: Position) -> None: ...

    def drop_position(self, symbol: str) -> None: ...

    def positions(self) -> Sequence[Position]: ...

    # -- the risk book, the dust ledger, bans --------------------------------------------------------------
    def save_risk(self, snapshot: Mapping[str, Any]) -> None: ...

    def risk(self) -> Mapping[str, Any] | None: ...

    def save_dust(self, lots: Mapping[str, StoredLot]) -> None:
        """Replace the whole dust ledger."""
        ...

    def dust(self) -> Mapping[str, StoredLot]: ...

    def save_ban(self, ban: Ban) -> None: ...

    def ban(self) -> Ban | None: ...

    # -- completed trades: recorded exactly once, then exported to the journal ----------------------------
    def record_trade(self, key: str, trade: CompletedTrade, risk: Mapping[str, Any] | None = None) -> bool:
        """Record a completed trade (and the risk book that counted it) in one transaction. False when
        `key` is already recorded: the trade was counted before, nothing is written."""
        ...

    def has_trade(self, key: str) -> bool: ...

    def unexported_trades(self) -> Sequence[tuple[str, CompletedTrade]]: ...

    def mark_exported(self, key: str) -> None: ...

    def trades(self) -> Sequence[CompletedTrade]: ...
