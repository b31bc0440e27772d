"""What the exchange says, unasked, about the account's orders (Binance's user-data stream: executionReport,
listStatus), and whether that stream can be trusted right now. The core acts on these instead of polling."""

from __future__ import annotations

from dataclasses import dataclass

from domain.orders import ListStatus, OrderReport


@dataclass(frozen=True, slots=True)
class OrderChanged:
    """One order changed state. `report` is its cumulative state (status, executed quantity, quote);
    `report.fills` holds the trade(s) of THIS change only (an executionReport carries one trade)."""

    report: OrderReport
    execution: str  # NEW, TRADE, CANCELED, EXPIRED, ... (Binance's execution type)
    time_ms: int


@dataclass(frozen=True, slots=True)
class OrderListChanged:
    """An OCO list changed state (ALL_DONE: every leg has ended)."""

    symbol: str
    order_list_id: int
    list_client_id: str
    status: ListStatus
    order_ids: tuple[int, ...]
    time_ms: int


@dataclass(frozen=True, slots=True)
class OrderStreamDown:
    """The stream is cut: from now on events may be missing until it is back."""

    reason: str


@dataclass(frozen=True, slots=True)
class OrderStreamRestarted:
    """The stream is back; what happened while it was down is unknown: reconcile through REST."""

    reconnects: int


OrderEvent = OrderChanged | OrderListChanged | OrderStreamDown | OrderStreamRestarted
