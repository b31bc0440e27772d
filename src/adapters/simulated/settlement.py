"""Turning a match into money: balances, commissions (as Binance charges them), fills, order endings.

Commission (binance-spot-api.md 1.10) is charged on the received asset: a BUY pays in the base asset, a
SELL in the quote asset. With `bnb_discount`, it is paid in BNB at 25% off when a BNB price is known and
the account holds enough free BNB; otherwise it falls back to the normal commission. Commissions are
rounded UP to the asset's precision (the simulator never under-charges).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_UP, Decimal

from adapters.simulated.accounts import Accounts
from adapters.simulated.costs import BNB, BNB_DISCOUNT_RATE, SimulatorCosts
from adapters.simulated.market import SymbolMarket
from adapters.simulated.order_state import SimOrder
from adapters.simulated.stats import StatsRecorder
from domain.enum_constants import BUY, SELL
from domain.fast_init import fast_frozen_init
from domain.orders import Fill, OrderReport, OrderStatus
from domain.rules import SymbolRules
from domain.values import Side

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class OrderUpdate:
    """One change of one order, for whoever mirrors it (the venue's executionReport stream).

    `execution` is Binance's execution type: NEW, TRADE, CANCELED or EXPIRED; `expiry_reason` follows
    Binance's `eR` (INSUFFICIENT_LIQUIDITY, OCO_TRIGGER, UNFILLED_IOC_QUANTITY_EXPIRED, ...)."""

    report: OrderReport
    execution: str
    fill: Fill | None = None
    expiry_reason: str = "NONE"


@fast_frozen_init
@dataclass(frozen=True, slots=True)
class TradeRecord:
    """One of the account's trades (GET /api/v3/myTrades)."""

    symbol: str
    order_id: int
    order_list_id: int
    side: Side
    time_ms: int
    fill: Fill


class Settlement:
    """Applies fills and endings to the accounts, the orders, the stats and the listeners."""

    def __init__(self, rules: Mapping[str, SymbolRules], accounts: Accounts,
                 markets: Mapping[str, SymbolMarket], costs: SimulatorCosts, stats: StatsRecorder) -> None:
        self._rules = rules
        self._accounts = accounts
        self._markets = markets
        self._costs = costs
        self._stats = stats
        self._trade_ids = itertools.count(1)
        self.trades: list[TradeRecord] = []
        self.listeners: list[Callable[[OrderUpdate], None]] = []

    def announce(self, order: SimOrder, execution: str, fill: Fill | None = None,
                 reason: str = "NONE") -> None:
        if self.listeners:
            update = OrderUpdate(order.report(), execution, fill, reason)
            for listener in self.listeners:
                listener(update)

    def affordable(self, order: SimOrder, price: Decimal, quantity: Decimal) -> Decimal:
        """Part of `quantity` at `price` the account can still pay for (a BUY); all of it for a SELL."""
        if order.side is SELL:
            return quantity
        rules = self._rules[order.symbol]
        release = min(order.lock.amount, quantity * order.lock_price) if order.lock else ZERO
        funds = self._accounts.free(rules.quote_asset) + release
        if price * quantity <= funds:
            return quantity
        step = rules.market_step_size if rules.market_step_size > 0 else rules.step_size
        whole = funds / price
        return (whole // step) * step if step > 0 else whole

    def fill(self, order: SimOrder, price: Decimal, quantity: Decimal, *, maker: bool, time_ms: int) -> Fill:
        rules = self._rules[order.symbol]
        base, quote = rules.base_asset, rules.quote_asset
        notional = price * quantity
        locked = order.lock is not None  # a MARKET order locks nothing: no release to work out
        if order.side is BUY:
            if locked:
                self._release(order, quantity * order.lock_price)
            self._accounts.debit(quote, notional)
            received_asset, received = base, quantity
        else:
            if locked:
                self._release(order, quantity)
            self._accounts.debit(base, quantity)
            received_asset, received = quote, notional
        self._accounts.credit(received_asset, received)
        commission, asset = self._commission(rules, order.side, price, quantity, maker)
        self._accounts.debit(asset, commission)
        fill = Fill(price, quantity, commission, asset, next(self._trade_ids), maker)  # by position: per fill
        order.record_fill(fill, time_ms)
        self.trades.append(TradeRecord(order.symbol, order.order_id, order.order_list_id, order.side,
                                       time_ms, fill))
        self._stats.fill(maker=maker, quote=notional, commission=commission, asset=asset)
        if self.listeners:
            self.announce(order, "TRADE", fill)
        return fill

    def finish(self, order: SimOrder, status: OrderStatus, time_ms: int, *, reason: str = "NONE",
               release: bool = True) -> None:
        """End an open order that is not FILLED (CANCELED or EXPIRED). `release=False` keeps the lock
        (an OCO leg expiring while its sibling, which shares the lock, lives on)."""
        order.end(status, time_ms)
        if release and order.lock is not None:
            self._release(order, order.lock.amount)
        if self.listeners:  # the status's name only for someone listening (a backtest has no one)
            self.announce(order, status.value, reason=reason)
        self.completed(order)

    def completed(self, order: SimOrder) -> None:
        self._stats.ended(order.type, order.status, order.executed, oco_leg=order.order_list_id >= 0)

    def release_lock(self, order: SimOrder) -> None:
        """Give back whatever the order (or its OCO list) still holds."""
        if order.lock is not None:
            self._release(order, order.lock.amount)

    def _release(self, order: SimOrder, amount: Decimal) -> None:
        lock = order.lock
        if lock is None or amount <= 0:
            return
        amount = min(amount, lock.amount)
        self._accounts.unlock(lock.asset, amount)
        lock.amount -= amount

    def _commission(self, rules: SymbolRules, side: Side, price: Decimal, quantity: Decimal,
                    maker: bool) -> tuple[Decimal, str]:
        rate = self._costs.fee_rate(maker=maker, symbol=rules.symbol)
        if self._costs.bnb_discount:
            bnb_price = self._bnb_price(rules, price)
            if bnb_price is not None:
                in_bnb = _round_up(price * quantity * rate * (1 - BNB_DISCOUNT_RATE) / bnb_price, 8)
                if in_bnb <= self._accounts.free(BNB):
                    return in_bnb, BNB
        if side is BUY:
            return _round_up(quantity * rate, rules.base_asset_precision), rules.base_asset
        return _round_up(price * quantity * rate, rules.quote_asset_precision), rules.quote_asset

    def _bnb_price(self, rules: SymbolRules, fill_price: Decimal) -> Decimal | None:
        """BNB's price in this symbol's quote asset: the fill itself on a BNB pair, else BNB<quote>."""
        if rules.base_asset == BNB:
            return fill_price
        if rules.quote_asset == BNB:
            return Decimal(1)
        market = self._markets.get(BNB + rules.quote_asset)
        return market.reference_price() if market is not None else None


_QUANTA: dict[int, Decimal] = {}  # 1E-<places>, built once per precision (every fill asks)


def _round_up(value: Decimal, places: int) -> Decimal:
    quantum = _QUANTA.get(places)
    if quantum is None:
        quantum = _QUANTA[places] = Decimal(1).scaleb(-places)
    return value.quantize(quantum, rounding=ROUND_UP)
