"""What fills really cost and delivered: fees in USDT, base received, and the trade a set of sales closes.

Binance charges the commission in the received asset (base on a BUY, quote on a SELL) or in BNB when
the discount is on; `price_of` is the hook that values any other asset (BNB) in the quote asset. When a
report carries no fills (an order queried later, an OCO leg), the fee is estimated at the configured
rate: an honest upper bound rather than zero.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from loguru import logger

from application.bound_logs import symbol_log
from domain.orders import OrderReport, OrderType
from domain.position import CompletedTrade, ExitReason, Position
from domain.rules import SymbolRules
from domain.values import Side

PriceOf = Callable[[str], float | None]  # value of one unit of an asset in the quote asset, None if unknown

_MAKER_TYPES = frozenset({OrderType.LIMIT, OrderType.LIMIT_MAKER})
_ZERO = Decimal(0)


def no_prices(_asset: str) -> float | None:
    return None


class SymbolRates(Protocol):
    """Effective rates per symbol (application/symbol_fees.SymbolFees)."""

    def taker(self, symbol: str) -> float: ...

    def maker(self, symbol: str) -> float: ...


@dataclass(frozen=True, slots=True)
class FeeModel:
    taker_fee_rate: float
    maker_fee_rate: float
    price_of: PriceOf = no_prices
    per_symbol: SymbolRates | None = None  # when given, each symbol's own rates replace the two above

    def taker_for(self, symbol: str) -> float:
        return self.per_symbol.taker(symbol) if self.per_symbol is not None else self.taker_fee_rate

    def maker_for(self, symbol: str) -> float:
        return self.per_symbol.maker(symbol) if self.per_symbol is not None else self.maker_fee_rate

    def rate_for(self, report: OrderReport) -> float:
        """The rate an order type pays when its fills are unknown: a resting LIMIT(_MAKER) the maker rate;
        MARKET, STOP_LOSS(_LIMIT) and TAKE_PROFIT(_LIMIT) legs (they fire into the market) the taker rate."""
        symbol = report.symbol
        return self.maker_for(symbol) if report.type in _MAKER_TYPES else self.taker_for(symbol)

    def fee_usdt(self, report: OrderReport, rules: SymbolRules) -> float:
        """Commission of every fill of `report`, valued in the quote asset."""
        if report.executed_quantity <= 0:
            return 0.0
        if not report.fills:
            return float(report.cumulative_quote) * self.rate_for(report)
        total = 0.0
        for fill in report.fills:
            if fill.commission == 0:
                continue
            if fill.commission_asset == rules.quote_asset:
                total += float(fill.commission)
            elif fill.commission_asset == rules.base_asset:
                total += float(fill.commission * fill.price)
            else:
                unit = self.price_of(fill.commission_asset)
                if unit is None:
                    logger.warning("No {} price to value a {} fee on {}: estimated at the nominal rate",
                                   fill.commission_asset, fill.commission, report.symbol)
                    rate = self.maker_for(report.symbol) if fill.is_maker else self.rate_for(report)
                    total += float(fill.price * fill.quantity) * rate
                else:
                    total += float(fill.commission) * unit
        return total

    def received_base(self, report: OrderReport, rules: SymbolRules) -> Decimal:
        """Base units a BUY really delivered: executed minus the commission taken in base."""
        if report.side is not Side.BUY:
            raise ValueError(f"received_base is for BUY reports, got {report.side}")
        if report.executed_quantity > 0 and not report.fills:  # unknown: assume the fee came out of base
            rate = Decimal(repr(self.rate_for(report)))
            return report.executed_quantity * (1 - rate)
        return report.executed_quantity - report.commission_in(rules.base_asset)


def executed(reports: Sequence[OrderReport]) -> Decimal:
    """The quantity the reports executed: `sum(..., Decimal(0))`'s additions, without a generator (an exit
    asks it about its one or two reports several times)."""
    total = _ZERO
    for report in reports:
        total += report.executed_quantity
    return total


def trade_from_sales(position: Position, sales: Sequence[OrderReport], reason: ExitReason, exit_time_ms: int,
                     fees: FeeModel, rules: SymbolRules) -> CompletedTrade:
    """The completed trade of a position closed by these SELL reports (OCO leg, market sales).

    `exit_time_ms` is the trading clock when the exit became known, like the position's entry time: one
    clock for both ends. The reports' own times are the exchange's clock (Binance's server, or the market
    event a simulated leg filled on, which may predate the order when the bot lags its stream): mixing
    them with the trading clock gave exits before entries."""
    sold = proceeds = _ZERO
    for report in sales:  # executed(sales) and the proceeds in one pass: the same sums
        sold += report.executed_quantity
        proceeds += report.cumulative_quote
    if sold <= 0:
        raise ValueError(f"{position.symbol}: no sale executed, no trade to record")
    exit_fee: float = 0
    for report in sales:
        exit_fee += fees.fee_usdt(report, rules)
    return position.close(exit_price=float(proceeds / sold), exit_time_ms=exit_time_ms,
                          exit_fee_usdt=exit_fee, reason=reason, quantity=float(sold))


def log_closed_trade(trade: CompletedTrade, mode: str) -> None:
    """Spec 4.8: 'Position closed: BTCUSDT TP @ 42280.00 | PnL: +0.31% (+0.09 USDT)'; a protection
    failure at WARNING. A timeout is one of the planned exits (spec 2.2): INFO, so a backtest's console,
    which shows warnings only, is not flooded with every baseline's timeouts."""
    level = "WARNING" if trade.exit_reason is ExitReason.UNPROTECTED else "INFO"
    symbol_log(trade.symbol, mode).log(
        level, "Position closed: {} {} @ {:.8g} after {:.0f}s | PnL: {:+.2f}% ({:+.4f} USDT, fees {:.4f})",
        trade.symbol, trade.exit_reason.value, trade.exit_price, trade.duration_sec, trade.pnl_pct,
        trade.pnl_usdt, trade.fees_usdt)


def log_open_at_stop(position: Position, mode: str) -> None:
    """A position left open when the bot stops: it keeps its exchange-side OCO, or needs a human."""
    protected = position.oco_list_id >= 0
    logger.bind(symbol=position.symbol, mode=mode).log(
        "WARNING" if protected else "CRITICAL",
        "Still open at stop: {} {} @ {:.8g}, {} (TP {:.8g}, SL {:.8g})",
        position.symbol, position.quantity, position.entry_price,
        f"protected by OCO {position.oco_list_id}" if protected else "NOT protected: close it by hand",
        position.take_profit_price, position.stop_loss_price)
