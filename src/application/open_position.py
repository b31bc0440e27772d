"""Open a position from an approved signal (spec 4.7 execute_signal): buy, then protect (protect_entry.py).

- Refused BEFORE buying when the worst case of the buy could leave a holding that no exit could sell
  (protection.entry_refusal: lot minimum, min notional of every exit leg after the fee and the step
  rounding, for a fill anywhere within `entry_fill_band_pct` of the signal price).
- Market BUY for a quote amount (quoteOrderQty), with a client id derived from the signal, so a retry
  never buys twice. Partial fills are fine: everything downstream uses the executed quantity, net of the
  commission taken in base.
- Optional maker entry: LIMIT_MAKER at the bid, resolved by `resolve` on later ticks, cancelled after the
  timeout (a partial fill is kept and protected). Errors of the BUY go up to the loop, which decides.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import ROUND_DOWN, Decimal
from functools import lru_cache

from loguru import logger

from application.bound_logs import symbol_log
from application.exchange_calls import ExchangeCalls, client_order_id
from application.fills import FeeModel
from application.holdings import DustLedger
from application.protect_entry import (
    ClosedAtOnce,
    EntryPending,
    NotOpened,
    Opened,
    OpenOutcome,
    ProtectEntry,
    exit_fractions,
)
from application.protection import entry_refusal
from application.trading_config import ExecutionConfig
from domain.orders import OrderReport, OrderRequest, OrderStatus, OrderType
from domain.position import ExitPolicy
from domain.rules import SymbolRules
from domain.signal import TradeSignal
from domain.values import BookTop, Side
from ports.clock import Clock
from ports.errors import ExchangeUnavailable, OrderNotFound
from ports.exchange import Exchange

__all__ = ["ClosedAtOnce", "EntryPending", "NotOpened", "OpenOutcome", "OpenPosition", "Opened"]


@lru_cache(maxsize=16)
def _quote_step(quote_asset_precision: int) -> Decimal:
    """The quote amount's grid: the pair's precision, at most 8 decimals (the same few pairs, every entry)."""
    return Decimal(1).scaleb(-min(quote_asset_precision, 8))



class OpenPosition:
    def __init__(self, exchange: Exchange, clock: Clock, execution: ExecutionConfig, policy: ExitPolicy,
                 fees: FeeModel, mode: str, dust: DustLedger | None = None) -> None:
        self._exchange, self._clock, self._execution, self._mode = exchange, clock, execution, mode
        self._fees = fees
        self._protect = ProtectEntry(exchange, clock, execution, policy, fees,
                                     dust if dust is not None else DustLedger(mode), mode)
        self._in_flight: dict[str, tuple[TradeSignal, OrderRequest, SymbolRules]] = {}
        # `bool(in_flight)` as a plain attribute: the loop asks it for every symbol of every minute.
        self.any_in_flight = False
        self._call = ExchangeCalls(exchange, clock, execution.retry)

    async def __call__(self, signal: TradeSignal, size_usdt: float, rules: SymbolRules,
                       top: BookTop | None = None) -> OpenOutcome:
        fractions = exit_fractions(signal)  # asked by the refusal and the OCO alike: two roundings each
        refusal = self.refusal(signal, size_usdt, rules, fractions)
        if refusal is not None:  # logged by the caller with the other outcomes
            return NotOpened(refusal)
        if self._execution.maker_entries and top is not None:
            return await self._place_maker(signal, size_usdt, rules, top)
        client_id = client_order_id("e", signal.symbol, signal.time_ms)
        if rules.quote_order_qty_market_allowed:
            quote = Decimal(repr(size_usdt)).quantize(_quote_step(rules.quote_asset_precision),
                                                      rounding=ROUND_DOWN)
            request = OrderRequest(signal.symbol, Side.BUY, OrderType.MARKET, client_id, quote_quantity=quote)
        else:
            quantity = rules.round_qty(Decimal(repr(size_usdt / signal.entry_price)), market=True)
            request = OrderRequest(signal.symbol, Side.BUY, OrderType.MARKET, client_id, quantity=quantity)
        report = await self._send_entry(signal, request, rules)
        symbol_log(signal.symbol, self._mode).info(
            "Order placed: BUY {} MARKET {:f} -> {} filled {:f} @ {:.8g} ({})", signal.symbol,
            request.quote_quantity or request.quantity, report.status, report.executed_quantity,
            report.average_price, client_id)
        return await self._protect(signal, report, rules, fractions)

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
            report.status, report.executed_quantity)
        if request.type is OrderType.LIMIT_MAKER and not report.status.is_final:
            return EntryPending(signal, report, self._clock.now_ms() + self._execution.maker_entry_timeout_ms)
        return await self.protect(signal, report, rules)

    async def _send_entry(self, signal: TradeSignal, request: OrderRequest,
                          rules: SymbolRules) -> OrderReport:
        self._in_flight[signal.symbol] = (signal, request, rules)
        self.any_in_flight = True
        try:
            report = await self._call(lambda: self._exchange.place_order(request), f"buy {signal.symbol}")
        except Exception as exc:  # unknown status stays in flight: `recover` asks again, same id
            if not isinstance(exc, ExchangeUnavailable):
                del self._in_flight[signal.symbol]  # refused: no order exists
                self.any_in_flight = bool(self._in_flight)
            raise
        del self._in_flight[signal.symbol]
        self.any_in_flight = bool(self._in_flight)
        return report

    def refusal(self, signal: TradeSignal, size_usdt: float, rules: SymbolRules,
                fractions: tuple[float, float] | None = None) -> str | None:
        """Why this entry must not be tried at all, or None. `fractions`: `exit_fractions(signal)`."""
        if rules.status != "TRADING" or not rules.spot_allowed:
            return f"{rules.symbol} is not trading on spot (status {rules.status})"
        if not rules.oco_allowed:
            return f"{rules.symbol} does not allow OCO orders: a buy could not be protected"
        take_profit_pct, stop_loss_pct = exit_fractions(signal) if fractions is None else fractions
        execution = self._execution
        problem = entry_refusal(rules, Decimal(repr(size_usdt)), Decimal(repr(signal.entry_price)),
                                taker_fee_rate=self._fees.taker_for(signal.symbol),
                                take_profit_pct=take_profit_pct,
                                stop_loss_pct=stop_loss_pct,
                                stop_limit_buffer_pct=execution.stop_limit_buffer_pct,
                                fill_band_pct=execution.entry_fill_band_pct)
        if problem is not None:
            return (f"the exit after fees and rounding would not be sellable ({problem}) for "
                    f"{size_usdt:.2f} USDT")
        return None

    async def protect(self, signal: TradeSignal, report: OrderReport, rules: SymbolRules) -> OpenOutcome:
        """Place the OCO over what `report` (a filled or partly filled BUY) delivered."""
        return await self._protect(signal, report, rules)

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
            report.status)
        if report.status.is_final:
            return await self.protect(signal, report, rules)
        return EntryPending(signal, report, self._clock.now_ms() + self._execution.maker_entry_timeout_ms)
