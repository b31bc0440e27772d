"""Reconcile the bot's view with the account (spec 4.7 sync_with_exchange), at start and periodically.

- Balances: the quote balance the equity is built from.
- Our positions: an OCO missing from the open orders is asked about; a filled leg closes the position at
  its real fill, a vanished OCO leaves it unprotected and ManagePositions closes it at market.
- Base assets held without a position of ours (an earlier run, a manual buy) worth at least the pair's
  min notional: reported once at WARNING and, by default, left alone (OrphanPolicy.LEAVE). They are only
  sold when configured (OrphanPolicy.SELL), and never when an open order (an earlier OCO) covers them.
- Open orders that are not our OCOs: reported once, left alone.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from loguru import logger

from application.exchange_calls import client_order_id, with_retries
from application.fills import PriceOf
from application.manage_positions import ManagePositions
from application.trading_config import OrphanPolicy, RetryPolicy
from domain.orders import Balance, OrderReport, OrderRequest, OrderType
from domain.rules import SymbolRules
from domain.values import Side
from ports.clock import Clock
from ports.exchange import Exchange

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ReconcileReport:
    quote_free: Decimal
    quote_total: Decimal
    orphans: tuple[Balance, ...] = ()
    foreign_orders: tuple[OrderReport, ...] = ()
    sold_orphans: tuple[str, ...] = ()


LaneRunner = Callable[[str, Callable[[], Awaitable[object]]], Awaitable[None]]


class Reconcile:
    def __init__(self, exchange: Exchange, clock: Clock, positions: ManagePositions, retry: RetryPolicy, *,
                 quote_asset: str = "USDT", orphan_policy: OrphanPolicy = OrphanPolicy.LEAVE,
                 ignored_assets: tuple[str, ...] = ("BNB",), mode: str = "paper") -> None:
        self._exchange, self._clock, self._positions, self._retry = exchange, clock, positions, retry
        self._quote, self._policy, self._mode = quote_asset, orphan_policy, mode
        self._ignored = ignored_assets
        self._reported: set[str] = set()  # what was already reported, so a periodic sync does not repeat it

    async def __call__(self, rules: Mapping[str, SymbolRules], price_of: PriceOf,
                       busy: Collection[str] = (), in_lane: LaneRunner | None = None) -> ReconcileReport:
        """`busy`: symbols with an entry under way (a resting maker buy): their base is not an orphan.
        `in_lane(symbol, work)`: where a position's poll runs, so it never races the position's own lane
        (two finishers of one position would journal it twice); inline when None."""
        balances = await self._call(self._exchange.balances, "balances")
        orders = list(await self._call(lambda: self._exchange.open_orders(None), "open orders"))
        now_ms = self._clock.now_ms()
        open_lists = {o.order_list_id for o in orders if o.order_list_id >= 0}
        for symbol, position in list(self._positions.positions.items()):
            if position.oco_list_id >= 0 and position.oco_list_id not in open_lists:
                self._positions.watch.request(symbol)  # at its next tick if its lane is busy now
                poll = functools.partial(self._positions.poll, symbol, now_ms)
                await (poll() if in_lane is None else in_lane(symbol, poll))
        ours = {p.oco_list_id for p in self._positions.positions.values() if p.oco_list_id >= 0}
        foreign = tuple(o for o in orders if o.order_list_id < 0 or o.order_list_id not in ours)
        for order in foreign:
            self._once(f"order:{order.order_id}", order.symbol,
                       "Open order not placed by this run: {} {} {} {} @ {} (id {}); left untouched",
                       order.symbol, order.side.value, order.type.value, order.quantity, order.price,
                       order.order_id)
        ours_too = self._positions.held | set(busy)
        orphans, sold = await self._orphans(balances, rules, price_of, {o.symbol for o in foreign}, ours_too)
        quote = balances.get(self._quote, Balance(self._quote, Decimal(0), Decimal(0)))
        return ReconcileReport(quote.free, quote.total, orphans, foreign, sold)

    async def _orphans(self, balances: Mapping[str, Balance], rules: Mapping[str, SymbolRules],
                       price_of: PriceOf, covered: set[str],
                       ours: Collection[str]) -> tuple[tuple[Balance, ...], tuple[str, ...]]:
        held_bases = {rules[s].base_asset for s in ours if s in rules}
        orphans: list[Balance] = []
        sold: list[str] = []
        skipped = held_bases.union(self._ignored, (self._quote,))
        for asset in sorted(balances.keys() - skipped):  # the held ones are most of them (a replay's dust)
            balance = balances[asset]
            if balance.total <= 0:
                continue
            symbol = f"{asset}{self._quote}"
            pair = rules.get(symbol)
            price = price_of(symbol)
            if pair is None or price is None or not pair.meets_min_notional(balance.total,
                                                                            Decimal(repr(price))):
                continue  # not tradable here, no price to value it, or dust that could not be sold anyway
            orphans.append(balance)
            value = float(balance.total) * price
            if symbol in covered:
                self._once(f"asset:{asset}", symbol, "{} {} (~{:.2f} {}) held without a position, covered "
                           "by an open order from an earlier run: left untouched", balance.total, asset,
                           value, self._quote)
            elif self._policy is OrphanPolicy.SELL and await self._sell(pair, balance):
                sold.append(symbol)
            else:
                self._once(f"asset:{asset}", symbol, "{} {} (~{:.2f} {}) held without a position of this "
                           "bot: left untouched (orphan_policy={})", balance.total, asset, value,
                           self._quote, self._policy.value)
        return tuple(orphans), tuple(sold)

    async def _sell(self, rules: SymbolRules, balance: Balance) -> bool:
        quantity = rules.round_qty(balance.free, market=True)
        if quantity <= 0:
            return False
        request = OrderRequest(rules.symbol, Side.SELL, OrderType.MARKET,
                               client_order_id("s", rules.symbol, self._clock.now_ms()), quantity=quantity)
        report = await self._call(lambda: self._exchange.place_order(request), f"orphan sale {rules.symbol}")
        logger.bind(symbol=rules.symbol, mode=self._mode).warning(
            "Orphan {} {} sold at market (orphan_policy=sell): {} @ {:.8g}", quantity, rules.base_asset,
            report.status.value, report.average_price)
        return report.executed_quantity > 0

    def _once(self, key: str, symbol: str, message: str, *args: object) -> None:
        if key not in self._reported:
            self._reported.add(key)
            logger.bind(symbol=symbol, mode=self._mode).warning(message, *args)

    async def _call(self, call: Callable[[], Awaitable[T]], what: str) -> T:
        return await with_retries(call, clock=self._clock, policy=self._retry, what=what)
