"""Protect what an entry bought (spec 4.7 execute_signal, second half): an OCO over it, or a sale at once.

- What is protected is the holding: what the BUY delivered (net of the commission taken in base) plus the
  symbol's dust (holdings.py), rounded down to the lot step; what the step leaves stays dust.
- The take-profit leg is a LIMIT_MAKER, or a taker TAKE_PROFIT(_LIMIT) when `maker_take_profit` is off.
- An OCO whose answer was lost on every retry is looked up among the open orders by its deterministic list
  client id and adopted when it exists (a market sale would fail anyway: the OCO locks the base).
- An OCO refused: the holding is sold at market at once (ERROR). If no sale is possible (below the min qty
  or notional) it becomes dust and the entry ends there; if the sale fails, the position is handed over
  without an OCO and ManagePositions keeps selling it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from loguru import logger

from application.bound_logs import symbol_log
from application.exchange_calls import ExchangeCalls, client_order_id
from application.fills import FeeModel, trade_from_sales
from application.holdings import DustLedger, Lot, holding, take_first
from application.protection import UNSELLABLE_FILTERS, market_sale_problem, plan_protection, take_profit_type
from application.trading_config import ExecutionConfig
from domain.fast_init import fast_frozen_init
from domain.orders import ListStatus, OcoRequest, OrderListReport, OrderReport, OrderRequest, OrderType
from domain.position import CompletedTrade, ExitPolicy, ExitReason, Position
from domain.rules import SymbolRules
from domain.signal import TradeSignal
from domain.values import Side
from ports.clock import Clock
from ports.errors import ExchangeError, ExchangeUnavailable, OrderRejected
from ports.exchange import Exchange


@fast_frozen_init
@dataclass(frozen=True, slots=True)
class Opened:
    position: Position  # oco_list_id == -1 when it could not be protected nor sold yet
    lost_sale: OrderRequest | None = None  # a sale of it sent without an answer: ask again, same id


@fast_frozen_init
@dataclass(frozen=True, slots=True)
class NotOpened:
    reason: str
    bought: bool = False  # something was bought (now dust): the balances changed, the entry counts


@fast_frozen_init
@dataclass(frozen=True, slots=True)
class ClosedAtOnce:  # bought, not protectable, sold at once; `remainder` is what a partial sale left
    trade: CompletedTrade
    reason: str
    remainder: Position | None = None


@fast_frozen_init
@dataclass(frozen=True, slots=True)
class EntryPending:
    signal: TradeSignal
    order: OrderReport
    deadline_ms: int


OpenOutcome = Opened | NotOpened | ClosedAtOnce | EntryPending


def exit_fractions(signal: TradeSignal) -> tuple[float, float]:
    """Take-profit and stop distances of the signal, as fractions of its price (float noise removed so
    that 0.003 does not become 0.0030000000000001 and round up one more tick)."""
    return (round(signal.take_profit_price / signal.entry_price - 1, 10),
            round(1 - signal.stop_loss_price / signal.entry_price, 10))


def _holding_fee(lot: Lot, entry_price: float) -> float:
    """The entry fee of a position at `entry_price` holding `lot`, as holdings.holding sets it (the lot's
    cost beyond the fill price joins the fees): the position is then built once, not built and copied."""
    return lot.fee_usdt if lot.price == entry_price else lot.cost_usdt - entry_price * float(lot.quantity)


class ProtectEntry:
    def __init__(self, exchange: Exchange, clock: Clock, execution: ExecutionConfig, policy: ExitPolicy,
                 fees: FeeModel, dust: DustLedger, mode: str) -> None:
        self._exchange, self._clock, self._execution = exchange, clock, execution
        self._policy, self._fees, self._dust, self._mode = policy, fees, dust, mode
        self._call = ExchangeCalls(exchange, clock, execution.retry)
        self._tp_types: dict[str, tuple[SymbolRules, OrderType]] = {}  # each symbol's, for its rules

    def _take_profit_type(self, rules: SymbolRules) -> OrderType:
        known = self._tp_types.get(rules.symbol)
        if known is None or known[0] is not rules:
            known = self._tp_types[rules.symbol] = (rules, take_profit_type(rules,
                                                                            self._execution.maker_take_profit))
        return known[1]

    async def __call__(self, signal: TradeSignal, report: OrderReport, rules: SymbolRules,
                       fractions: tuple[float, float] | None = None) -> OpenOutcome:
        """Place the OCO over what `report` (a filled or partly filled BUY) delivered, plus the dust.
        `fractions`: `exit_fractions(signal)`, when the caller has them already."""
        if report.executed_quantity <= 0:
            return NotOpened(f"entry order {report.status.value} without any fill")
        entry = report.average_price
        price = float(entry)
        fee = self._fees.fee_usdt(report, rules)
        bought = Lot(self._fees.received_base(report, rules), price, fee)
        dust = self._dust.take(signal.symbol)
        held = bought + dust if dust is not None else bought
        take_profit_pct, stop_loss_pct = exit_fractions(signal) if fractions is None else fractions
        now_ms = self._clock.now_ms()  # the trading clock, as every exit time (fills.py)

        def position_of(lot: Lot, stop: float, target: float, list_id: int = -1) -> Position:
            return Position(
                symbol=signal.symbol, entry_price=price, quantity=float(lot.quantity), entry_time_ms=now_ms,
                stop_loss_price=stop, take_profit_price=target, entry_fee_usdt=_holding_fee(lot, price),
                policy=self._policy, oco_list_id=list_id, entry_order_id=report.order_id, score=signal.score,
                expected_net_return_pct=float(signal.prediction.expected_net_return_pct))

        def unprotected() -> Position:
            return position_of(held, price * (1 - stop_loss_pct), price * (1 + take_profit_pct))

        plan = plan_protection(rules, held.quantity, entry, take_profit_pct, stop_loss_pct,
                               self._execution.stop_limit_buffer_pct)
        if isinstance(plan, str):
            return await self._close_unprotected(unprotected(), bought, dust, rules, f"no valid OCO: {plan}")
        request = OcoRequest(signal.symbol, plan.quantity, plan.take_profit, plan.stop, plan.stop_limit,
                             client_order_id("o", signal.symbol, signal.time_ms),
                             take_profit_type=self._take_profit_type(rules))
        try:
            oco = await self._place_oco(request)
        except ExchangeError as exc:
            return await self._close_unprotected(unprotected(), bought, dust, rules, f"OCO refused: {exc}")
        if oco.status is ListStatus.REJECT:
            return await self._close_unprotected(unprotected(), bought, dust, rules,
                                                 "OCO refused (list REJECT)")
        protected, left = take_first(bought, dust, plan.quantity)
        self._dust.add(signal.symbol, left, price)
        position = position_of(protected, float(plan.stop), float(plan.take_profit), oco.order_list_id)
        symbol_log(signal.symbol, self._mode).info(
            "Position opened: {} BUY {:f} @ {:.8g} (SL: {:f}, TP: {:f} {}) fee {:.4f} USDT | {}",
            signal.symbol, plan.quantity, entry, plan.stop, plan.take_profit, request.take_profit_type,
            position.entry_fee_usdt, signal.reasoning)
        return Opened(position)

    async def _place_oco(self, request: OcoRequest) -> OrderListReport:
        try:
            return await self._call(lambda: self._exchange.place_oco(request), f"OCO {request.symbol}")
        except ExchangeUnavailable:
            found = await self._find_oco(request)
            if found is None:
                raise
            logger.bind(symbol=request.symbol, mode=self._mode).warning(
                "OCO {} of {}: every answer was lost, but it is on the exchange (list {}): adopted",
                request.list_client_id, request.symbol, found.order_list_id)
            return found

    async def _find_oco(self, request: OcoRequest) -> OrderListReport | None:
        """Our OCO among the symbol's open order lists (matched by its list client id), if it exists."""
        symbol = request.symbol
        try:
            orders = await self._call(lambda: self._exchange.open_orders(symbol), f"open orders {symbol}")
            lists = sorted({o.order_list_id for o in orders if o.order_list_id >= 0 and o.side is Side.SELL
                            and o.quantity == request.quantity})
            for list_id in lists:
                listing = await self._order_list(symbol, list_id)
                if listing.list_client_id == request.list_client_id:
                    return listing
        except ExchangeError as exc:
            logger.bind(symbol=symbol, mode=self._mode).error("Looking for the OCO {} failed: {}",
                                                               request.list_client_id, exc)
        return None

    async def _order_list(self, symbol: str, list_id: int) -> OrderListReport:
        return await self._call(lambda: self._exchange.get_order_list(symbol, list_id), f"OCO {symbol}")

    async def _close_unprotected(self, position: Position, bought: Lot, dust: Lot | None, rules: SymbolRules,
                                 why: str) -> OpenOutcome:
        log = logger.bind(symbol=position.symbol, mode=self._mode)
        symbol, held = position.symbol, Decimal(repr(position.quantity))
        price = Decimal(repr(position.entry_price))
        problem = market_sale_problem(rules, held, price)
        if problem is not None:
            return self._unsellable(position, bought, dust, why, problem)
        quantity = rules.round_qty(held, market=True)
        log.error("Position {} unprotected: {}; selling {:f} at market now", symbol, why, quantity)
        request = OrderRequest(symbol, Side.SELL, OrderType.MARKET,
                               client_order_id("u", symbol, position.entry_time_ms), quantity=quantity)
        try:
            sale = await self._call(lambda: self._exchange.place_order(request), f"sale {symbol}")
        except ExchangeError as exc:
            if isinstance(exc, OrderRejected) and exc.filter_type in UNSELLABLE_FILTERS:
                return self._unsellable(position, bought, dust, why, str(exc))
            log.error("Sale of unprotected {} failed ({}): position kept for ManagePositions to close",
                      symbol, exc)
            return Opened(position, request if isinstance(exc, ExchangeUnavailable) else None)
        if sale.executed_quantity <= 0:
            return Opened(position)
        sold, left = take_first(bought, dust, sale.executed_quantity)
        trade = trade_from_sales(holding(position, sold), [sale], ExitReason.UNPROTECTED,
                                 self._clock.now_ms(), self._fees, rules)
        left_problem = market_sale_problem(rules, left.quantity, price)
        if left_problem is None:
            return ClosedAtOnce(trade, why, holding(position, left))
        unsellable = left_problem if rules.round_qty(left.quantity, market=True) > 0 else None
        self._dust.add(symbol, left, trade.exit_price, unsellable=unsellable)
        return ClosedAtOnce(trade, why)

    def _unsellable(self, position: Position, bought: Lot, dust: Lot | None, why: str,
                    problem: str) -> NotOpened:
        symbol = position.symbol
        self._dust.add(symbol, bought + dust if dust is not None else bought, position.entry_price,
                       unsellable=f"{why}; no market sale either: {problem}")
        logger.bind(symbol=symbol, mode=self._mode).error(
            "Position {} unprotected ({}) and unsellable ({}): kept as dust", symbol, why, problem)
        return NotOpened(f"{why}; the {position.quantity} held cannot be sold ({problem}): kept as dust",
                         bought=True)
