"""The matching engine behind SimulatedExchange and the local Binance venue: synchronous, no I/O.

Fed market data by its driver (`observe_book`, `observe_trade`, `observe_candle`), it accepts orders in
domain types and answers in domain types, raising ports.errors with Binance's codes and messages
(binance-spot-api.md 1.8, 2). Time arrives as `now_ms` arguments and event times. Rules of thumb:
* MARKET orders walk the last book (a partial fill ends EXPIRED when the depth runs out), or fill at the
  last price moved by the slippage model; never without any known price (-1112).
* Resting orders fill by the conservative rules of resting.py (price-through for limits, stop-loss
  first within a bar) and reactions.py.
* Locked funds follow Binance: a BUY locks quote at its limit (or stop) price, a SELL its base
  quantity; an OCO locks once for both legs.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from adapters.simulated.accounts import Accounts
from adapters.simulated.costs import SimulatorCosts
from adapters.simulated.market import SymbolMarket, dec
from adapters.simulated.order_placement import OrderPlacement
from adapters.simulated.reactions import Reactions
from adapters.simulated.registry import OrderRegistry
from adapters.simulated.settlement import OrderUpdate, Settlement, TradeRecord
from adapters.simulated.stats import SimulatorStats, StatsRecorder
from adapters.simulated.taking import Taker
from adapters.simulated.validation import check_symbol
from domain.enum_constants import ALL_DONE, EXPIRED
from domain.orders import (
    OcoRequest,
    OrderListReport,
    OrderReport,
    OrderRequest,
)
from domain.rules import SymbolRules
from domain.values import BookTop, Candle, OrderBook, Trade
from ports.errors import OrderNotFound, OrderRejected

__all__ = ["EngineLimits", "MatchingEngine", "OrderUpdate", "TradeRecord"]


@dataclass(frozen=True, slots=True)
class EngineLimits:
    """Per-symbol MAX_NUM_ORDERS / MAX_NUM_ALGO_ORDERS (Binance's usual 200 and 5; SymbolRules does not
    carry them), and how late after a bar's open an order may be placed and still see the whole bar."""

    max_num_orders: int = 200
    max_num_algo_orders: int = 5
    bar_grace_ms: int = 1_000


class MatchingEngine:
    """One account trading on simulated markets. `rng` (default: seeded from `costs.seed`) drives every
    random draw; share it with the caller's latency model to keep one seed for a whole run."""

    def __init__(self, rules: Mapping[str, SymbolRules], accounts: Accounts | None = None,
                 costs: SimulatorCosts | None = None, *, limits: EngineLimits | None = None,
                 rng: random.Random | None = None) -> None:
        self._rules = dict(rules)
        self.accounts = accounts if accounts is not None else Accounts()
        self.costs = costs if costs is not None else SimulatorCosts()
        limits = limits or EngineLimits()
        self._markets: dict[str, SymbolMarket] = {}
        self._registry = OrderRegistry()
        self._stats = StatsRecorder()
        self._settlement = Settlement(self._rules, self.accounts, self._markets, self.costs, self._stats)
        rng = rng if rng is not None else random.Random(self.costs.seed)
        taker = Taker(self._settlement, self.costs, rng)
        self._reactions = Reactions(self._registry, self._settlement, taker, self.costs, self._rules,
                                    limits.bar_grace_ms)
        self._placement = OrderPlacement(self._registry, self._settlement, taker, self.accounts,
                                         self._stats, limits.max_num_orders, limits.max_num_algo_orders)
        self._list_ids = itertools.count(1)
        self._now_ms = 0

    # -- what the engine knows --------------------------------------------------------------------------
    @property
    def rules(self) -> Mapping[str, SymbolRules]:
        return self._rules

    @property
    def listeners(self) -> list[Callable[[OrderUpdate], None]]:
        """Called with every order change (NEW, TRADE, CANCELED, EXPIRED), e.g. for executionReports."""
        return self._settlement.listeners

    @property
    def trades(self) -> Sequence[TradeRecord]:
        return self._settlement.trades

    def market(self, symbol: str) -> SymbolMarket:
        found = self._markets.get(symbol)
        if found is None:
            found = self._markets[symbol] = SymbolMarket(symbol)
        return found

    def stats(self) -> SimulatorStats:
        return self._stats.snapshot()

    def record_latency(self, latency_ms: int) -> None:
        self._stats.delayed(latency_ms)

    # -- market data ------------------------------------------------------------------------------------
    def observe_book(self, book: OrderBook | BookTop) -> None:
        time_ms = self._advance(book.time_ms)
        market = self.market(book.symbol)
        market.set_book(book, time_ms)
        if self._registry.has_open(book.symbol):
            self._reactions.on_book(market, time_ms)

    def observe_trade(self, trade: Trade) -> None:
        time_ms = self._advance(trade.time_ms)
        market = self.market(trade.symbol)
        if self._registry.has_open(trade.symbol):
            price = dec(trade.price)
            market.set_last(price, time_ms)
            self._reactions.on_trade(market, price, dec(trade.quantity), time_ms)
        else:  # (a replay's candidate minutes: the price is converted only if an order reads it)
            market.set_last_float(trade.price, time_ms)

    def observe_candle(self, candle: Candle) -> None:
        """A kline: resting orders see its whole range (see reactions.py); its close becomes the last price.
        A book older than the bar is dropped: the bar is newer news."""
        time_ms = self._advance(candle.close_time_ms if candle.closed else candle.open_time_ms)
        if not candle.closed:  # an unfinished bar is news of now, not of its open
            time_ms = max(time_ms, self._now_ms)
        market = self.market(candle.symbol)
        if market.has_book and market.book_time_ms < candle.open_time_ms:
            market.drop_book()
        if self._registry.has_open(candle.symbol):
            fall, rise = self._registry.wake_prices(candle.symbol)
            if candle.low <= fall or candle.high >= rise:
                close = dec(candle.close)
                self._reactions.on_candle(market, candle, time_ms, dec(candle.open), dec(candle.high),
                                          dec(candle.low), close)
                market.set_last(close, time_ms)
                return
            self._reactions.quiet_bar()  # most bars of a position: nothing reaches either leg
        market.set_last_float(candle.close, time_ms)  # converted only if an order reads it

    def _advance(self, time_ms: int) -> int:
        self._now_ms = max(self._now_ms, time_ms)
        return time_ms or self._now_ms

    # -- orders -----------------------------------------------------------------------------------------
    def place_order(self, request: OrderRequest, now_ms: int) -> OrderReport:
        return self._placement.place(self._rules.get(request.symbol), request, self.market(request.symbol),
                                     self._advance(now_ms))

    def place_oco(self, request: OcoRequest, now_ms: int) -> OrderListReport:
        """A SELL OCO protecting a long (domain OcoRequest): take-profit above, stop(-limit) below."""
        symbol = request.symbol
        return self._placement.place_oco(self._rules.get(symbol), request, self.market(symbol),
                                         next(self._list_ids), self._advance(now_ms))

    def place_order_list(self, *, list_client_id: str, above: OrderRequest, below: OrderRequest,
                         now_ms: int) -> OrderListReport:
        """Binance's POST /api/v3/orderList/oco with explicit legs (any side, any allowed leg types)."""
        symbol = above.symbol
        return self._placement.place_list(self._rules.get(symbol), list_client_id, above, below,
                                          self.market(symbol), next(self._list_ids), self._advance(now_ms))

    def cancel_order(self, symbol: str, *, order_id: int | None = None, client_order_id: str | None = None,
                     now_ms: int) -> OrderReport:
        """Cancel an open order; a leg of an OCO cancels the whole list (as on Binance)."""
        check_symbol(self._rules.get(symbol), symbol)
        order = self._registry.order(symbol, order_id, client_order_id)
        if order is None or not order.is_open:
            raise OrderNotFound("Unknown order sent.", code=-2011)
        order_list = self._registry.list_of(order)
        if order_list is not None:
            self._placement.cancel_list(order_list, self._advance(now_ms))
        else:
            self._placement.cancel(order, self._advance(now_ms))
        return order.report()

    def cancel_order_list(self, symbol: str, *, order_list_id: int | None = None,
                          list_client_id: str | None = None, now_ms: int) -> OrderListReport:
        check_symbol(self._rules.get(symbol), symbol)
        order_list = self._registry.order_list(order_list_id, list_client_id)
        if order_list is None or order_list.symbol != symbol or order_list.status is ALL_DONE:
            raise OrderNotFound("Unknown order sent.", code=-2011)
        self._placement.cancel_list(order_list, self._advance(now_ms))
        return order_list.report()

    def replace_rules(self, rules: SymbolRules) -> None:
        """New rules for a symbol (a venue halting or resuming it): orders are checked against them."""
        self._rules[rules.symbol] = rules

    def expire_open_orders(self, symbol: str, now_ms: int, reason: str = "EXCHANGE_CANCELED") -> int:
        """Expire every resting order of `symbol` (both legs of an OCO); returns how many ended."""
        ended, now = 0, self._advance(now_ms)
        for order in self._registry.open_orders(symbol):
            if not order.is_open:
                continue
            order_list = self._registry.list_of(order)
            if order_list is not None:
                ended += sum(leg.is_open for leg in order_list.legs)
                self._placement.cancel_list(order_list, now, status=EXPIRED, reason=reason)
            else:
                self._placement.expire(order, now, reason)
                ended += 1
        return ended

    def get_order(self, symbol: str, *, order_id: int | None = None,
                  client_order_id: str | None = None) -> OrderReport:
        check_symbol(self._rules.get(symbol), symbol)
        order = self._registry.order(symbol, order_id, client_order_id)
        if order is None:
            raise OrderNotFound("Order does not exist.", code=-2013)
        return order.report()

    def get_order_list(self, *, order_list_id: int | None = None, list_client_id: str | None = None,
                       symbol: str | None = None) -> OrderListReport:
        order_list = self._registry.order_list(order_list_id, list_client_id)
        if order_list is None or (symbol is not None and order_list.symbol != symbol):
            raise OrderNotFound("Order list does not exist.", code=-2013)
        return order_list.report()

    def open_orders(self, symbol: str | None = None) -> list[OrderReport]:
        if symbol is not None and symbol not in self._rules:
            raise OrderRejected("Invalid symbol.", code=-1121)
        return [o.report() for o in self._registry.open_orders(symbol)]

    def all_orders(self, symbol: str) -> list[OrderReport]:
        return [o.report() for o in self._registry.all_orders(symbol)]
