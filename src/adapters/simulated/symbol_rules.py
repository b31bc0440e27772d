"""Where the simulator's symbol filters come from: a real exchangeInfo, or Binance-like defaults.

`default_rules_for(symbol, price)` is for kline-only data (backtests), where no exchangeInfo of the
period exists. It builds filters the way Binance sizes them for a USDT pair:
* tickSize: a power of ten about 1e-4 of the price's order of magnitude (1e-5..1e-4 relative), so a
  price is never more precise than Binance would allow and never coarser than a scalper can live with;
  at least 1e-8 (Binance's 8 decimals), so sub-cent coins get a coarser relative tick, as on Binance;
* stepSize: the power of ten whose value at this price is 0.1-1 quote units (BTC at 60,000: 0.00001,
  ETH at 3,000: 0.0001, a 0.5 USDT coin: 1), capped at 1 as Binance does for cheap coins;
* minNotional 5 (Binance's current USDT minimum; older pairs had 10), applied to MARKET orders too;
* every order type, OCO and quoteOrderQty allowed; MARKET_LOT_SIZE the same as LOT_SIZE.
Build it once per symbol from a representative price (e.g. the first close) and keep it for the run.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from domain.orders import OrderType
from domain.rules import SymbolRules

_QUOTES = ("USDT", "FDUSD", "USDC", "TUSD", "BUSD", "BTC", "ETH", "BNB", "EUR", "TRY", "BRL")
_QUOTES_LONGEST_FIRST = sorted(_QUOTES, key=len, reverse=True)
_EVERY_ORDER_TYPE = tuple(t.value for t in OrderType)  # once: a replay builds rules for every symbol


def rules_from_exchange_info(payload: Mapping[str, Any]) -> dict[str, SymbolRules]:
    """Every symbol of a GET /api/v3/exchangeInfo response, by name."""
    return {str(entry["symbol"]): SymbolRules.from_exchange_info(entry) for entry in payload["symbols"]}


def split_symbol(symbol: str) -> tuple[str, str]:
    """("BTC", "USDT") for "BTCUSDT": the longest known quote asset the name ends with."""
    for quote in _QUOTES_LONGEST_FIRST:
        if symbol.endswith(quote) and len(symbol) > len(quote):
            return symbol[: -len(quote)], quote
    raise ValueError(f"cannot tell the quote asset of {symbol!r}: expected one of {', '.join(_QUOTES)}")


def default_rules_for(symbol: str, price: float, *, min_notional: Decimal = Decimal(5)) -> SymbolRules:
    """Binance-like filters for `symbol` trading around `price` (see the module docstring)."""
    if not price > 0:
        raise ValueError(f"default_rules_for({symbol!r}): price must be positive, got {price!r}")
    base, quote = split_symbol(symbol)
    level = Decimal(repr(price))
    tick = max(Decimal(1).scaleb(level.adjusted() - 4), Decimal("1e-8"))  # 8 decimals at most
    step_exponent = min(0, _ceil_log10(Decimal("0.1") / level))
    step = Decimal(1).scaleb(step_exponent)
    return SymbolRules(
        symbol=symbol, base_asset=base, quote_asset=quote,
        tick_size=tick, min_price=tick, max_price=Decimal(1_000_000) * Decimal(1).scaleb(level.adjusted()),
        step_size=step, min_qty=step, max_qty=Decimal(9_000_000_000),
        market_step_size=step, market_min_qty=step, market_max_qty=Decimal(9_000_000_000),
        min_notional=min_notional, max_notional=Decimal(9_000_000),
        order_types=_EVERY_ORDER_TYPE)


def _ceil_log10(value: Decimal) -> int:
    exponent = value.adjusted()
    return exponent if value == Decimal(1).scaleb(exponent) else exponent + 1
