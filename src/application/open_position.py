"""Open a position from an approved signal (spec 4.7 execute_signal): buy, then protect with an OCO.

- Refused BEFORE buying when what the buy would deliver could not be sold again by the OCO (lot minimum,
  min notional at the stop-limit price after the entry fee): never hold an unsellable position.
- Market BUY for a quote amount (quoteOrderQty), with a client id derived from the signal, so a retry
  never buys twice. Partial fills are fine: everything downstream uses the executed quantity, net of the
  commission taken in base.
- The OCO (take-profit above, stop below, see protection.py for the rounding) covers what was received.
  If it is refused, what was bought is sold at market at once (ERROR): nothing stays unprotected. If even
  that sale fails the position is handed over without an OCO and ManagePositions keeps selling it.
- Optional maker entry: LIMIT_MAKER at the bid, resolved by `resolve` on later ticks, cancelled after the
  timeout (a partial fill is kept and protected). Errors of the BUY go up to the loop, which decides.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from decimal import ROUND_DOWN, Decimal
from typing import TypeVar

from loguru import logger

from application.exchange_calls import client_order_id, with_retries
from application.fills import FeeModel, trade_from_sales
from application.protection import plan_protection
from application.trading_config import ExecutionConfig
from domain.orders import ListStatus, OcoRequest, OrderReport, OrderRequest, OrderStatus, OrderType
from domain.position import CompletedTrade, ExitPolicy, ExitReason, Position
from domain.rules import SymbolRules
from domain.signal import TradeSignal
from domain.values import BookTop, Side
from ports.clock import Clock
from ports.errors import ExchangeError, ExchangeUnavailable, OrderNotFound
from ports.exchange import Exchange

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Opened:
    position: Position  # oco_list_id == -1 when it could not be protected nor sold yet
    lost_sale: OrderRequest | None = None  # a sale of it sent without an answer: ask again, same id


@dataclass(frozen=True, slots=True)
class NotOpened:
    reason: str


@dataclass(frozen=True, slots=True)
class ClosedAtOnce:  # bought, not protectable, sold at once; `remainder` is what a partial sale left
    trade: CompletedTrade
    reason: str
    remainder: Position | None = None


@dataclass(frozen=True, slots=True)
class EntryPending:
    signal: TradeSignal
    order: OrderReport
    deadline_ms: int


OpenOutcome = Opened | NotOpened | ClosedAtOnce | EntryPending


class OpenPosition:
    def __init__(self, exchange: Exchange, clock: Clock, execution: ExecutionConfig, policy: ExitPolicy,
                 fees: FeeModel, mode: str) -> None:
        self._exchange, self._clock, self._execution = exchange, clock, execution
        self._policy, self._fees, self._mode = policy, fees, mode
        self._in_flight: dict[str, tuple[TradeSignal, OrderRequest, SymbolRules]] = {}

    async def __call__(self, signal: TradeSignal, size_usdt: float, rules: SymbolRules,
                       top: BookTop | None = None) -> OpenOutcome:
        refusal = self.refusal(signal, size_usdt, rules)
        if refusal is not None:  # logged by the caller with the other outcomes
            return NotOpened(refusal)
        if self._execution.maker_entries and top is not None:
            return await self._place_maker(signal, size_usdt, rules, top)
        client_id = client_order_id("e", signal.symbol, signal.time_ms)
        if rules.quote_order_qty_market_allowed:
            quote = Decimal(repr(size_usdt)).quantize(Decimal(1).scaleb(-min(rules.quote_asset_precision, 8)),
                                                      rounding=ROUND_DOWN)
            request = OrderRequest(signal.symbol, Side.BUY, OrderType.MARKET, client_id, quote_quantity=quote)
        else:
            quantity = rules.round_qty(Decimal(repr(size_usdt / signal.entry_price)), market=True)
            request = OrderRequest(signal.symbol, Side.BUY, OrderType.MARKET, client_id, quantity=quantity)
        report = await self._send_entry(signal, request, rules)
        logger.bind(symbol=signal.symbol, mode=self._mode).info(
            "Order placed: BUY {} MARKET {:f} -> {} filled {:f} @ {:.8g} ({})", signal.symbol,
            request.quote_quantity or request.quantity, report.status.value, report.executed_quantity,
            report.average_price, client_id)
        return await self.protect(signal, report, rules)

    @property
    def in_flight(self) -> frozenset[str]:
        """Symbols whose entry order was sent but never answered (its fate is unknown)."""
        return frozenset(self._in_flight)

    async def recover(self, symbol: str) -> OpenOutcome:
        """Re-send an unanswered entry with its own client id: the exchange returns the order it already
        has (never a second buy), or places it now; then it is protected as usual."""
        signal, request, rules = self._in_flight[symbol]
        report = await self._send_entry(signal, request, rules)
        logger.bind(symbol=symbol, mode=self._mode).warning(
            "Entry {} recovered after a lost answer: {} filled {:f}", request.client_order_id,
            report.status.value, report.executed_quantity)
        if request.type is OrderType.LIMIT_MAKER and not report.status.is_final:
            return EntryPending(signal, report, self._clock.now_ms() + self._execution.maker_entry_timeout_ms)
        return await self.protect(signal, report, rules)

    async def _send_entry(self, signal: TradeSignal, request: OrderRequest,
                          rules: SymbolRules) -> OrderReport:
        self._in_flight[signal.symbol] = (signal, request, rules)
        try:
            report = await self._call(lambda: self._exchange.place_order(request), f"buy {signal.symbol}")
        except Exception as exc:  # unknown status stays in flight: `recover` asks again, same id
            if not isinstance(exc, ExchangeUnavailable):
                del self._in_flight[signal.symbol]  # refused: no order exists
            raise
        del self._in_flight[signal.symbol]
        return report

    def refusal(self, signal: TradeSignal, size_usdt: float, rules: SymbolRules) -> str | None:
        """Why this entry must not be tried at all, or None."""
        if rules.status != "TRADING" or not rules.spot_allowed:
            return f"{rules.symbol} is not trading on spot (status {rules.status})"
        if not rules.oco_allowed:
            return f"{rules.symbol} does not allow OCO orders: a buy could not be protected"
        price = Decimal(repr(signal.entry_price))
        received = Decimal(repr(size_usdt)) / price * (1 - Decimal(repr(self._execution.taker_fee_rate)))
        plan = plan_protection(rules, received, price, *self._exit_fractions(signal),
                               self._execution.stop_limit_buffer_pct)
        if isinstance(plan, str):
            return f"the exit after fees would not be sellable ({plan}) for {size_usdt:.2f} USDT"
        if rules.round_qty(received, market=True) <= 0:
            return f"{received:.8f} {rules.base_asset} is below the market lot minimum"
        return None

    async def protect(self, signal: TradeSignal, report: OrderReport, rules: SymbolRules) -> OpenOutcome:
        """Place the OCO over what `report` (a filled or partly filled BUY) delivered."""
        log = logger.bind(symbol=signal.symbol, mode=self._mode)
        if report.executed_quantity <= 0:
            return NotOpened(f"entry order {report.status.value} without any fill")
        entry = report.average_price
        received = self._fees.received_base(report, rules)
        take_profit_pct, stop_loss_pct = self._exit_fractions(signal)
        position = Position(
            symbol=signal.symbol, entry_price=float(entry), quantity=float(received),
            entry_time_ms=report.time_ms or self._clock.now_ms(),
            stop_loss_price=float(entry) * (1 - stop_loss_pct),
            take_profit_price=float(entry) * (1 + take_profit_pct),
            entry_fee_usdt=self._fees.fee_usdt(report, rules), policy=self._policy,
            entry_order_id=report.order_id, score=signal.score)
        plan = plan_protection(rules, received, entry, take_profit_pct, stop_loss_pct,
                               self._execution.stop_limit_buffer_pct)
        if isinstance(plan, str):
            return await self._close_unprotected(position, received, rules, f"no valid OCO: {plan}")
        request = OcoRequest(signal.symbol, plan.quantity, plan.take_profit, plan.stop, plan.stop_limit,
                             client_order_id("o", signal.symbol, signal.time_ms))
        try:
            oco = await self._call(lambda: self._exchange.place_oco(request), f"OCO {signal.symbol}")
        except ExchangeError as exc:
            return await self._close_unprotected(position, received, rules, f"OCO refused: {exc}")
        if oco.status is ListStatus.REJECT:
            return await self._close_unprotected(position, received, rules, "OCO refused (list REJECT)")
        position = replace(position, quantity=float(plan.quantity), stop_loss_price=float(plan.stop),
                           take_profit_price=float(plan.take_profit), oco_list_id=oco.order_list_id)
        log.info("Position opened: {} BUY {:f} @ {:.8g} (SL: {:f}, TP: {:f}) fee {:.4f} USDT | {}",
                 signal.symbol, plan.quantity, entry, plan.stop, plan.take_profit, position.entry_fee_usdt,
                 signal.reasoning)
        return Opened(position)

    async def resolve(self, pending: EntryPending, rules: SymbolRules) -> OpenOutcome:
        """Follow a resting maker entry: protect it once filled, cancel it at the deadline."""
        symbol, order_id = pending.signal.symbol, pending.order.order_id
        report = await self._call(lambda: self._exchange.get_order(symbol, order_id), f"query {symbol}")
        if report.status is OrderStatus.FILLED or report.status.is_final:
            return await self.protect(pending.signal, report, rules)
        if self._clock.now_ms() < pending.deadline_ms:
            return replace(pending, order=report)
        try:
            report = await self._call(lambda: self._exchange.cancel_order(symbol, order_id),
                                      f"cancel {symbol}")
        except OrderNotFound:  # it filled (or ended) while we were cancelling
            report = await self._call(lambda: self._exchange.get_order(symbol, order_id), f"query {symbol}")
        if report.executed_quantity > 0:
            return await self.protect(pending.signal, report, rules)
        logger.bind(symbol=symbol, mode=self._mode).info("Maker entry on {} not filled in time: cancelled",
                                                          symbol)
        return NotOpened("maker entry not filled before its timeout")

    async def _place_maker(self, signal: TradeSignal, size_usdt: float, rules: SymbolRules,
                           top: BookTop) -> OpenOutcome:
        price = rules.round_price(Decimal(repr(top.bid)), direction="down")
        quantity = rules.round_qty(Decimal(repr(size_usdt)) / price) if price > 0 else Decimal(0)
        if quantity <= 0:
            return NotOpened(f"{size_usdt:.2f} USDT at {price} is below the lot minimum")
        request = OrderRequest(signal.symbol, Side.BUY, OrderType.LIMIT_MAKER,
                               client_order_id("e", signal.symbol, signal.time_ms), quantity=quantity,
                               price=price)
        report = await self._send_entry(signal, request, rules)
        logger.bind(symbol=signal.symbol, mode=self._mode).info(
            "Order placed: BUY {} LIMIT_MAKER {:f} @ {:f} -> {}", signal.symbol, quantity, price,
            report.status.value)
        if report.status.is_final:
            return await self.protect(signal, report, rules)
        return EntryPending(signal, report, self._clock.now_ms() + self._execution.maker_entry_timeout_ms)

    async def _close_unprotected(self, position: Position, received: Decimal, rules: SymbolRules,
                                 why: str) -> OpenOutcome:
        log = logger.bind(symbol=position.symbol, mode=self._mode)
        quantity = rules.round_qty(received, market=True)
        log.error("Position {} unprotected: {}; selling {} at market now", position.symbol, why, quantity)
        if quantity <= 0:
            log.error("{} {} cannot be sold (below the lot minimum): left on the account", received,
                      rules.base_asset)
            return NotOpened(f"{why}; the {received} bought is below the lot minimum")
        request = OrderRequest(position.symbol, Side.SELL, OrderType.MARKET,
                               client_order_id("u", position.symbol, position.entry_time_ms),
                               quantity=quantity)
        try:
            sale = await self._call(lambda: self._exchange.place_order(request), f"sale {position.symbol}")
        except ExchangeError as exc:
            log.error("Sale of unprotected {} failed ({}): position kept for ManagePositions to close",
                      position.symbol, exc)
            lost = request if isinstance(exc, ExchangeUnavailable) else None
            return Opened(replace(position, oco_list_id=-1), lost)
        if sale.executed_quantity <= 0:
            return Opened(replace(position, oco_list_id=-1))
        trade = trade_from_sales(position, [sale], ExitReason.UNPROTECTED, self._clock.now_ms(), self._fees,
                                 rules)
        left = received - sale.executed_quantity
        remainder = None
        if rules.round_qty(left, market=True) > 0:
            share = float(left / received)
            remainder = replace(position, quantity=float(left),
                                entry_fee_usdt=position.entry_fee_usdt * share, oco_list_id=-1)
        return ClosedAtOnce(trade, why, remainder)

    def _exit_fractions(self, signal: TradeSignal) -> tuple[float, float]:
        """Take-profit and stop distances of the signal, as fractions of its price (float noise removed so
        that 0.003 does not become 0.0030000000000001 and round up one more tick)."""
        return (round(signal.take_profit_price / signal.entry_price - 1, 10),
                round(1 - signal.stop_loss_price / signal.entry_price, 10))

    async def _call(self, call: Callable[[], Awaitable[T]], what: str) -> T:
        return await with_retries(call, clock=self._clock, policy=self._execution.retry, what=what)
