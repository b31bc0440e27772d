"""SimulatedExchange: the Exchange port on the matching engine, for paper trading and backtests.

Whoever drives it feeds market data (`observe(event)`, or `observe_book/_trade/_candle`): in paper mode
the live feed's events, in a backtest the replayed klines. Every order action (place, cancel) first
waits the latency model on the injected Clock (a ReplayClock advances, a SystemClock really waits, so a
live book can move meanwhile); queries answer at once. One seeded `random.Random` drives every random
draw, so the same inputs and seed give the same reports.

Idempotency (the port's promise): a retry with the client id of an order this exchange already placed
returns that order's current report instead of placing it again; a different order reusing the id is
refused (-2010 "Duplicate order sent.").
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Mapping, Sequence
from decimal import Decimal
from types import TracebackType
from typing import Self

from adapters.simulated.accounts import Accounts
from adapters.simulated.costs import SimulatorCosts
from adapters.simulated.matching import EngineLimits, MatchingEngine
from adapters.simulated.order_events import EngineOrderEvents
from adapters.simulated.stats import SimulatorStats
from adapters.simulated.validation import rejected
from domain.fees import FeeSchedule
from domain.market_events import (
    BookTopUpdated,
    BookUpdated,
    CandleUpdated,
    MarketEvent,
    StreamStale,
    TickersUpdated,
    TradeHappened,
)
from domain.order_events import OrderEvent
from domain.orders import Balance, OcoRequest, OrderListReport, OrderReport, OrderRequest
from domain.rules import SymbolRules
from domain.values import BookTop, Candle, OrderBook, Trade
from ports.clock import Clock
from ports.errors import OrderNotFound


class SimulatedExchange:
    def __init__(self, rules: Mapping[str, SymbolRules], balances: Mapping[str, Decimal], clock: Clock,
                 costs: SimulatorCosts | None = None, *, limits: EngineLimits | None = None) -> None:
        self._clock = clock
        self._costs = costs if costs is not None else SimulatorCosts()
        self._rng = random.Random(self._costs.seed)
        if limits is None:  # an order placed at a bar's close, after latency, still sees the next bar
            limits = EngineLimits(bar_grace_ms=1_000 + self._costs.latency_ms + self._costs.latency_jitter_ms)
        self._engine = MatchingEngine(rules, Accounts(balances), self._costs, limits=limits, rng=self._rng)
        self._orders_by_client_id: dict[tuple[str, str], tuple[OrderRequest, int]] = {}
        self._lists_by_client_id: dict[tuple[str, str], tuple[OcoRequest, int]] = {}
        self._order_events: EngineOrderEvents | None = None
        # Without jitter the latency never changes and draws nothing: known once, not per order action.
        self._fixed_latency_ms = None if self._costs.latency_jitter_ms > 0 else self._costs.latency_ms

    @property
    def fails_transiently(self) -> bool:
        """ports.exchange.TransientFailures: in process, it is never unavailable nor rate limited."""
        return False

    @property
    def engine(self) -> MatchingEngine:
        return self._engine

    def stats(self) -> SimulatorStats:
        """Orders by outcome, maker/taker fills, fees paid per asset, fill rates, latency."""
        return self._engine.stats()

    async def __aenter__(self) -> Self:
        return self

    async def commission(self, symbol: str) -> FeeSchedule:
        """ports.exchange.CommissionRates: this account's table (SimulatorCosts.symbol_fees)."""
        return self._costs.schedule(symbol)

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        return None

    # -- market data ------------------------------------------------------------------------------------
    def observe(self, event: MarketEvent) -> None:
        """Feed one market event. Tickers only update last prices (they carry no size: no fills)."""
        match event:
            case BookUpdated(book=book):
                self._engine.observe_book(book)
            case BookTopUpdated(top=top):
                self._engine.observe_book(top)
            case TradeHappened(trade=trade):
                self._engine.observe_trade(trade)
            case CandleUpdated(candle=candle):
                self._engine.observe_candle(candle)
            case TickersUpdated(tickers=table, time_ms=time_ms):
                # The table's columns: no Ticker objects built for every pair of every frame.
                for symbol, close, event_ms in zip(table.symbols, table.close.tolist(),
                                                   table.event_time_ms.tolist(), strict=True):
                    self._engine.market(symbol).set_last_float(close, event_ms or time_ms)
            case StreamStale(symbol=symbol):
                self._engine.market(symbol).drop_book()  # never fill against a book we no longer see
            case _:
                pass

    def observe_book(self, book: OrderBook | BookTop) -> None:
        self._engine.observe_book(book)

    def observe_trade(self, trade: Trade) -> None:
        self._engine.observe_trade(trade)

    def observe_candle(self, candle: Candle) -> None:
        self._engine.observe_candle(candle)

    # -- the Exchange port ------------------------------------------------------------------------------
    async def symbol_rules(self) -> Mapping[str, SymbolRules]:
        return self._engine.rules

    async def balances(self) -> Mapping[str, Balance]:
        return self._engine.accounts.snapshot()

    async def place_order(self, request: OrderRequest) -> OrderReport:
        known = self._known_order(request)
        if known is not None:
            return known
        await self._delay()
        known = self._known_order(request)  # a concurrent retry may have placed it meanwhile
        if known is not None:
            return known
        report = self._engine.place_order(request, self._clock.now_ms())
        if request.client_order_id:
            self._orders_by_client_id[(request.symbol, request.client_order_id)] = (request, report.order_id)
        return report

    async def place_oco(self, request: OcoRequest) -> OrderListReport:
        known = self._known_list(request)
        if known is not None:
            return known
        await self._delay()
        known = self._known_list(request)
        if known is not None:
            return known
        report = self._engine.place_oco(request, self._clock.now_ms())
        if request.list_client_id:
            key = (request.symbol, request.list_client_id)
            self._lists_by_client_id[key] = (request, report.order_list_id)
        return report

    async def cancel_order(self, symbol: str, order_id: int) -> OrderReport:
        await self._delay()
        return self._engine.cancel_order(symbol, order_id=order_id, now_ms=self._clock.now_ms())

    async def cancel_order_list(self, symbol: str, order_list_id: int) -> OrderListReport:
        await self._delay()
        return self._engine.cancel_order_list(symbol, order_list_id=order_list_id,
                                              now_ms=self._clock.now_ms())

    async def get_order(self, symbol: str, order_id: int) -> OrderReport:
        return self._engine.get_order(symbol, order_id=order_id)

    async def get_order_list(self, symbol: str, order_list_id: int) -> OrderListReport:
        return self._engine.get_order_list(order_list_id=order_list_id, symbol=symbol)

    async def open_orders(self, symbol: str | None = None) -> Sequence[OrderReport]:
        return self._engine.open_orders(symbol)

    async def find_order(self, symbol: str, client_order_id: str) -> OrderReport | None:
        """ports.order_lookup.OrderLookup: the order with that client id, None if never received."""
        try:
            return self._engine.get_order(symbol, client_order_id=client_order_id)
        except OrderNotFound:
            return None

    async def find_order_list(self, symbol: str, list_client_id: str) -> OrderListReport | None:
        try:
            return self._engine.get_order_list(list_client_id=list_client_id, symbol=symbol)
        except OrderNotFound:
            return None

    def order_events(self) -> AsyncIterator[OrderEvent]:
        """ports.order_events.OrderEvents: every order change from the first call on (never down)."""
        if self._order_events is None:
            self._order_events = EngineOrderEvents(self._engine)
        return self._order_events.events()

    # -- helpers ----------------------------------------------------------------------------------------
    async def _delay(self) -> None:
        latency_ms = self._fixed_latency_ms
        if latency_ms is None:
            latency_ms = self._costs.latency_draw_ms(self._rng)
        self._engine.record_latency(latency_ms)
        if latency_ms > 0:
            await self._clock.sleep(latency_ms / 1000)

    def _known_order(self, request: OrderRequest) -> OrderReport | None:
        known = self._orders_by_client_id.get((request.symbol, request.client_order_id))
        if known is None:
            return None
        if known[0] != request:
            raise rejected("Duplicate order sent.")
        return self._engine.get_order(request.symbol, order_id=known[1])

    def _known_list(self, request: OcoRequest) -> OrderListReport | None:
        known = self._lists_by_client_id.get((request.symbol, request.list_client_id))
        if known is None:
            return None
        if known[0] != request:
            raise rejected("Duplicate order sent.")
        return self._engine.get_order_list(order_list_id=known[1])

    # -- a replay's held minutes (application/backtest/held_span.py) ----------------------------------
    def resting_bounds(self, symbol: str) -> tuple[float, float] | None:
        """(fall, rise): a closed bar of `symbol` with low > fall and high < rise moves none of its resting
        orders (MatchingEngine.observe_candle's quiet bar); None when none rests."""
        registry = self._engine._registry  # the engine's own wake prices: the same test observe_candle makes
        return registry.wake_prices(symbol) if registry.has_open(symbol) else None

    def observe_quiet_bars(self, last: Candle, bars: int) -> None:
        """`bars` closed bars of one symbol in a row, ending with `last`, each moving no resting order
        (within `resting_bounds`, checked by the caller) while some rest: what observing each would leave,
        the slippage draw each visit makes and the last bar's close, time and book."""
        if bars <= 0:
            return
        if self._costs.slippage_jitter_bps > 0:  # the seeded sequence moves as the skipped visits move it
            for _ in range(bars - 1):
                self._costs.slippage_fraction(self._rng)
        self.observe_candle(last)
