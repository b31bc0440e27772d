"""The Exchange port with a memory: every new order is written to the state store (and synced) BEFORE it is
sent, then its answer is written too (issue 14). Cross-cutting, so it wraps: RecordedExchange(inner, store).

- place_order / place_oco: the intent (client id, symbol, side, purpose from the id, quantity) first; a
  retry with the same client id keeps the first record. Then ACKNOWLEDGED, FILLED, DONE or REJECTED with
  the order (or list) id and what executed. An answer that never came (ExchangeUnavailable, a crash) leaves
  the intent PENDING: recovery asks the exchange about it by client id.
- Later answers about the bot's own orders (queries, cancels) move their intent on too, written only when
  its state changes, so an OCO that ends while a position is managed leaves nothing unresolved.
- Everything else is the inner exchange's, unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from types import TracebackType
from typing import Self

from domain.orders import (
    Balance,
    ListStatus,
    OcoRequest,
    OrderListReport,
    OrderReport,
    OrderRequest,
    OrderStatus,
)
from domain.rules import SymbolRules
from domain.trading_state import IntentState, OrderIntent, is_ours, purpose_of
from domain.values import Side
from ports.clock import Clock
from ports.errors import OrderRejected
from ports.exchange import Exchange
from ports.state_store import StateStore


def order_state(report: OrderReport) -> IntentState:
    if report.executed_quantity > 0:
        return IntentState.FILLED
    if report.status in (OrderStatus.REJECTED,):
        return IntentState.REJECTED
    return IntentState.DONE if report.status.is_final else IntentState.ACKNOWLEDGED


def list_state(report: OrderListReport) -> IntentState:
    if report.status is ListStatus.REJECT:
        return IntentState.REJECTED
    if report.filled_leg is not None:
        return IntentState.FILLED
    return IntentState.DONE if report.status is ListStatus.ALL_DONE else IntentState.ACKNOWLEDGED


def record_order(store: StateStore, report: OrderReport) -> None:
    store.record_outcome(report.client_order_id, order_state(report), order_id=report.order_id,
                         executed=report.executed_quantity, cumulative_quote=report.cumulative_quote)


def record_list(store: StateStore, report: OrderListReport) -> None:
    leg = report.filled_leg
    store.record_outcome(report.list_client_id, list_state(report), order_id=report.order_list_id,
                         executed=leg.executed_quantity if leg else Decimal(0),
                         cumulative_quote=leg.cumulative_quote if leg else Decimal(0))


class RecordedExchange:
    def __init__(self, inner: Exchange, store: StateStore, clock: Clock) -> None:
        self.inner, self._store, self._clock = inner, store, clock
        self._states: dict[str, IntentState] = {}  # the last state written per client id

    def _note_order(self, report: OrderReport) -> OrderReport:
        state = order_state(report)
        if is_ours(report.client_order_id) and self._states.get(report.client_order_id) is not state:
            record_order(self._store, report)
            self._states[report.client_order_id] = state
        return report

    def _note_list(self, report: OrderListReport) -> OrderListReport:
        state = list_state(report)
        if is_ours(report.list_client_id) and self._states.get(report.list_client_id) is not state:
            record_list(self._store, report)
            self._states[report.list_client_id] = state
        return report

    async def __aenter__(self) -> Self:
        await self.inner.__aenter__()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.inner.__aexit__(exc_type, exc, tb)

    async def place_order(self, request: OrderRequest) -> OrderReport:
        self._store.record_intent(OrderIntent(
            request.client_order_id, request.symbol, request.side, purpose_of(request.client_order_id),
            request.quantity, request.quote_quantity, self._clock.now_ms()))
        try:
            report = await self.inner.place_order(request)
        except OrderRejected:  # refused: no such order exists
            self._store.record_outcome(request.client_order_id, IntentState.REJECTED)
            raise
        return self._note_order(report)

    async def place_oco(self, request: OcoRequest) -> OrderListReport:
        self._store.record_intent(OrderIntent(
            request.list_client_id, request.symbol, Side.SELL, purpose_of(request.list_client_id),
            request.quantity, None, self._clock.now_ms()))
        try:
            report = await self.inner.place_oco(request)
        except OrderRejected:
            self._store.record_outcome(request.list_client_id, IntentState.REJECTED)
            raise
        return self._note_list(report)

    async def symbol_rules(self) -> Mapping[str, SymbolRules]:
        return await self.inner.symbol_rules()

    async def balances(self) -> Mapping[str, Balance]:
        return await self.inner.balances()

    async def cancel_order(self, symbol: str, order_id: int) -> OrderReport:
        return self._note_order(await self.inner.cancel_order(symbol, order_id))

    async def cancel_order_list(self, symbol: str, order_list_id: int) -> OrderListReport:
        return self._note_list(await self.inner.cancel_order_list(symbol, order_list_id))

    async def get_order(self, symbol: str, order_id: int) -> OrderReport:
        return self._note_order(await self.inner.get_order(symbol, order_id))

    async def get_order_list(self, symbol: str, order_list_id: int) -> OrderListReport:
        return self._note_list(await self.inner.get_order_list(symbol, order_list_id))

    async def open_orders(self, symbol: str | None = None) -> Sequence[OrderReport]:
        return await self.inner.open_orders(symbol)
