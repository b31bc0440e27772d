"""What the bot must remember across a restart, as plain values: order intents and IP bans.

An intent is written (and synced) before its order is sent, then moves on as the exchange answers:
PENDING (sent or about to be, fate unknown) -> ACKNOWLEDGED (the exchange has it, still working) ->
FILLED (something executed) or DONE (ended without a fill) or REJECTED; NOT_SENT when recovery finds
no such order on the exchange (a crash between the write and the send).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from domain.values import Side


class OrderPurpose(StrEnum):
    ENTRY = "entry"
    PROTECT = "protect"  # the OCO over a holding
    EXIT = "exit"  # a market sale (timeout, trailing, unprotected, orphan)


class IntentState(StrEnum):
    PENDING = "pending"
    ACKNOWLEDGED = "acknowledged"
    FILLED = "filled"
    DONE = "done"
    REJECTED = "rejected"
    NOT_SENT = "not_sent"

    @property
    def is_resolved(self) -> bool:
        return self not in (IntentState.PENDING, IntentState.ACKNOWLEDGED)


# The client id kinds of application/exchange_calls.client_order_id: cs<kind>-...
_PURPOSE_BY_KIND = {"e": OrderPurpose.ENTRY, "o": OrderPurpose.PROTECT}


def purpose_of(client_id: str) -> OrderPurpose:
    """The purpose encoded in one of the bot's client ids (anything else is an exit)."""
    kind = client_id[2:3] if client_id.startswith("cs") else ""
    return _PURPOSE_BY_KIND.get(kind, OrderPurpose.EXIT)


def is_ours(client_id: str) -> bool:
    """Did this bot make that client id (an order, or an OCO list)?"""
    return client_id.startswith(("cse-", "cso-", "csx-", "csu-", "css-"))


@dataclass(frozen=True, slots=True)
class OrderIntent:
    client_id: str  # the order's client id, or the OCO's list client id
    symbol: str
    side: Side
    purpose: OrderPurpose
    quantity: Decimal | None
    quote_quantity: Decimal | None
    created_ms: int
    state: IntentState = IntentState.PENDING
    order_id: int = -1  # the order id, or the order list id of an OCO
    executed: Decimal = Decimal(0)
    cumulative_quote: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class Ban:
    """The exchange banned the IP (HTTP 418) until `until_ms`: no call before then, even after a restart."""

    until_ms: int
    reason: str

    def active(self, now_ms: int) -> bool:
        return now_ms < self.until_ms
