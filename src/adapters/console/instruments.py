"""Timing wrappers around the loop's feed and exchange, for the console's latency histograms:

- tick-to-order: from the market event handed to the loop (TimedFeed) to the order request sent;
- order round trip: each order call's request -> answer, by kind (order, oco, cancel, query).

Each costs one perf_counter_ns() per event and two per exchange call; everything else is delegated.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from types import TracebackType
from typing import Self, TypeVar

from adapters.console.metrics import ConsoleMetrics
from domain.fees import FeeSchedule
from domain.market_events import MarketEvent
from domain.order_events import OrderEvent
from domain.orders import Balance, OcoRequest, OrderListReport, OrderReport, OrderRequest
from domain.rules import SymbolRules
from domain.values import Candle
from ports.exchange import CommissionRates, Exchange
from ports.market_feed import MarketFeed
from ports.order_events import OrderEvents
from ports.order_lookup import OrderLookup

T = TypeVar("T")


class TimedFeed:
    def __init__(self, inner: MarketFeed) -> None:
        self._inner = inner
        self.last_event_ns = 0

    async def __aenter__(self) -> Self:
        await self._inner.__aenter__()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self._inner.__aexit__(exc_type, exc, tb)

    async def events(self) -> AsyncIterator[MarketEvent]:
        events = self._inner.events()
        try:
            async for event in events:
                self.last_event_ns = time.perf_counter_ns()
                yield event
        finally:
            close = getattr(events, "aclose", None)
            if close is not None:
                await close()

    async def watch(self, symbols: Sequence[str]) -> None:
        await self._inner.watch(symbols)

    async def unwatch(self, symbols: Sequence[str]) -> None:
        await self._inner.unwatch(symbols)

    async def recent_candles(self, symbol: str, limit: int) -> Sequence[Candle]:
        return await self._inner.recent_candles(symbol, limit)


class TimedExchange:
    # The inner exchange's optional capabilities stay visible through the wrapper, only where it has them:
    # recovery's client-id lookup, pushed order events, per-symbol commission rates.
    order_events: Callable[[], AsyncIterator[OrderEvent]]
    find_order: Callable[[str, str], Awaitable[OrderReport | None]]
    find_order_list: Callable[[str, str], Awaitable[OrderListReport | None]]
    commission: Callable[[str], Awaitable[FeeSchedule]]

    def __init__(self, inner: Exchange, metrics: ConsoleMetrics, feed: TimedFeed | None = None) -> None:
        self._inner, self._metrics, self._feed = inner, metrics, feed
        if isinstance(inner, OrderEvents):
            self.order_events = inner.order_events
        if isinstance(inner, OrderLookup):
            self.find_order, self.find_order_list = inner.find_order, inner.find_order_list
        if isinstance(inner, CommissionRates):
            self.commission = inner.commission

    async def __aenter__(self) -> Self:
        await self._inner.__aenter__()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self._inner.__aexit__(exc_type, exc, tb)

    async def _timed(self, kind: str, call: Awaitable[T]) -> T:
        started = time.perf_counter_ns()
        try:
            return await call
        finally:
            self._metrics.round_trip.labels(kind=kind).observe((time.perf_counter_ns() - started) / 1e9)

    async def symbol_rules(self) -> Mapping[str, SymbolRules]:
        return await self._inner.symbol_rules()

    async def balances(self) -> Mapping[str, Balance]:
        return await self._timed("balances", self._inner.balances())

    async def place_order(self, request: OrderRequest) -> OrderReport:
        if self._feed is not None and self._feed.last_event_ns:
            self._metrics.tick_to_order.observe((time.perf_counter_ns() - self._feed.last_event_ns) / 1e9)
        return await self._timed("order", self._inner.place_order(request))

    async def place_oco(self, request: OcoRequest) -> OrderListReport:
        return await self._timed("oco", self._inner.place_oco(request))

    async def cancel_order(self, symbol: str, order_id: int) -> OrderReport:
        return await self._timed("cancel", self._inner.cancel_order(symbol, order_id))

    async def cancel_order_list(self, symbol: str, order_list_id: int) -> OrderListReport:
        return await self._timed("cancel", self._inner.cancel_order_list(symbol, order_list_id))

    async def get_order(self, symbol: str, order_id: int) -> OrderReport:
        return await self._timed("query", self._inner.get_order(symbol, order_id))

    async def get_order_list(self, symbol: str, order_list_id: int) -> OrderListReport:
        return await self._timed("query", self._inner.get_order_list(symbol, order_list_id))

    async def open_orders(self, symbol: str | None = None) -> Sequence[OrderReport]:
        return await self._timed("query", self._inner.open_orders(symbol))
