"""FakeExchange that also pushes its order changes (ports.order_events), as Binance's user-data stream does:
an OrderChanged for every order it stores, an OrderListChanged when an OCO ends. A test can cut the stream
(`down`), bring it back (`restarted`), hold events back to lose, repeat or reorder them (`hold`/`release`)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping
from decimal import Decimal

from tests.support.fake_exchange import FakeExchange
from tests.support.fake_venue import Oco

from domain.order_events import (
    OrderChanged,
    OrderEvent,
    OrderListChanged,
    OrderStreamDown,
    OrderStreamRestarted,
)
from domain.orders import ListStatus, OrderListReport, OrderReport
from domain.rules import SymbolRules


class StreamingFakeExchange(FakeExchange):
    def __init__(self, rules: Mapping[str, SymbolRules], balances: Mapping[str, str | Decimal],
                 prices: Mapping[str, str | Decimal], *, now_ms: Callable[[], int] = lambda: 0) -> None:
        super().__init__(rules, balances, prices, now_ms=now_ms)
        self.stream: asyncio.Queue[OrderEvent] = asyncio.Queue()
        self.held: list[OrderEvent] | None = None  # while not None, events are kept here, not sent

    # -- scripting --------------------------------------------------------------------------------
    def push(self, *events: OrderEvent) -> None:
        for event in events:
            if self.held is not None and not isinstance(event, OrderStreamDown | OrderStreamRestarted):
                self.held.append(event)
            else:
                self.stream.put_nowait(event)

    def hold(self) -> None:
        self.held = []

    def release(self) -> list[OrderEvent]:
        """Stop holding; returns what was held (nothing of it is sent: the test decides)."""
        held, self.held = self.held or [], None
        return held

    def down(self) -> None:
        self.push(OrderStreamDown("test: socket cut"))

    def restarted(self) -> None:
        self.push(OrderStreamRestarted(1))

    def rest_queries(self) -> int:
        return sum(1 for call in self.calls if call in ("get_order_list", "get_order"))

    # -- the port ---------------------------------------------------------------------------------
    def order_events(self) -> AsyncIterator[OrderEvent]:
        return self._events()

    async def _events(self) -> AsyncIterator[OrderEvent]:
        while True:
            yield await self.stream.get()

    # -- what the venue changes -------------------------------------------------------------------
    def _store(self, report: OrderReport) -> OrderReport:
        stored = super()._store(report)
        self.push(OrderChanged(stored, "TRADE" if stored.fills else stored.status.value, self.now_ms()))
        return stored

    def _trigger(self, oco: Oco, price: Decimal) -> None:
        super()._trigger(oco, price)
        if oco.status is ListStatus.ALL_DONE:
            self._list_ended(oco)

    async def cancel_order_list(self, symbol: str, order_list_id: int) -> OrderListReport:
        report = await super().cancel_order_list(symbol, order_list_id)
        self._list_ended(self._lists[order_list_id])
        return report

    def _list_ended(self, oco: Oco) -> None:
        self.push(OrderListChanged(oco.request.symbol, oco.list_id, oco.request.list_client_id, oco.status,
                                   (oco.take_profit_id, oco.stop_id), self.now_ms()))
