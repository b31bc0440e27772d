"""Checks an order goes through before it reaches the book, with Binance's codes and messages.

Order of checks as Binance reports them: symbol, parameters, precision, filters (in exchangeInfo order:
PRICE_FILTER, LOT_SIZE, MARKET_LOT_SIZE, NOTIONAL, MAX_NUM_ORDERS, MAX_NUM_ALGO_ORDERS), then the checks
against the market (LIMIT_MAKER would take, stop would trigger immediately), then the balance.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from adapters.simulated.market import SymbolMarket
from adapters.simulated.order_state import MARKET_WHEN_TRIGGERED, STOP_TYPES
from domain.enum_constants import (
    BUY,
    LIMIT,
    LIMIT_MAKER,
    MARKET,
    SELL,
    STOP_LOSS,
    STOP_LOSS_LIMIT,
    TAKE_PROFIT,
    TAKE_PROFIT_LIMIT,
)
from domain.orders import OrderRequest, OrderType
from domain.rules import SymbolRules
from domain.values import Side
from ports.errors import OrderRejected

_CLIENT_ID = re.compile(r"^[a-zA-Z0-9-_]{1,36}$")
_TYPE_NAMES = {MARKET: "Market", LIMIT: "Limit", LIMIT_MAKER: "Limit maker",
               STOP_LOSS: "Stop loss", STOP_LOSS_LIMIT: "Stop loss limit",
               TAKE_PROFIT: "Take profit", TAKE_PROFIT_LIMIT: "Take profit limit"}
_NEEDS_TIF = frozenset({LIMIT, STOP_LOSS_LIMIT, TAKE_PROFIT_LIMIT})
_NO_PRICE = frozenset({MARKET, *MARKET_WHEN_TRIGGERED})
_VALUES = {t: t.value for t in OrderType}  # `.value` is a slow property; every order asks
_TAKE_PROFIT_TYPES = frozenset({LIMIT_MAKER, TAKE_PROFIT, TAKE_PROFIT_LIMIT})
_STOP_LOSS_TYPES = frozenset({STOP_LOSS, STOP_LOSS_LIMIT})
WOULD_TAKE = "Order would immediately match and take."
WOULD_TRIGGER = "Order would trigger immediately."
BAD_OCO_PRICES = "The relationship of the prices for the orders is not correct."
ZERO, ONE = Decimal(0), Decimal(1)


def rejected(message: str, code: int = -2010, filter_type: str | None = None) -> OrderRejected:
    return OrderRejected(message, code=code, filter_type=filter_type)


def filter_failure(filter_type: str) -> OrderRejected:
    return rejected(f"Filter failure: {filter_type}", -1013, filter_type)


def check_symbol(rules: SymbolRules | None, symbol: str) -> SymbolRules:
    if rules is None:
        raise rejected("Invalid symbol.", -1121)
    return rules


def check_request(request: OrderRequest, rules: SymbolRules, market: SymbolMarket, *,
                  against_market: bool = True) -> None:
    """Everything that does not depend on balances or open orders; raises OrderRejected."""
    if rules.status != "TRADING" or not rules.spot_allowed:
        raise rejected("Market is closed.")
    if rules.order_types and _VALUES[request.type] not in rules.order_types:
        raise rejected(f"{_TYPE_NAMES[request.type]} orders are not supported for this symbol.")
    if request.client_order_id and not _CLIENT_ID.match(request.client_order_id):
        raise rejected(f"Illegal characters found in parameter 'newClientOrderId'; legal range is "
                       f"'{_CLIENT_ID.pattern}'.", -1100)
    _check_parameters(request, rules)
    _check_filters(request, rules, market)
    if against_market:
        check_against_market(request, market)


def _check_parameters(request: OrderRequest, rules: SymbolRules) -> None:
    kind, quantity, quote = request.type, request.quantity, request.quote_quantity
    price, stop_price = request.price, request.stop_price
    needs_tif = kind in _NEEDS_TIF
    if needs_tif and request.time_in_force is None:
        raise rejected("Mandatory parameter 'timeInForce' was not sent, was empty/null, or malformed.", -1102)
    if not needs_tif and request.time_in_force is not None:
        raise rejected("Parameter 'timeInForce' sent when not required.", -1106)
    if price is not None and kind in _NO_PRICE:
        raise rejected("Parameter 'price' sent when not required.", -1106)
    if stop_price is not None and kind not in STOP_TYPES:
        raise rejected("Parameter 'stopPrice' sent when not required.", -1106)
    if kind is MARKET and quote is not None and not rules.quote_order_qty_market_allowed:
        raise rejected("Quote order qty market orders are not support for this symbol.")
    quote_places = rules.quote_asset_precision
    # One chain for the usual answer (every value precise enough); the first offender named below.
    if (quantity is not None and _too_precise(quantity, rules.base_asset_precision)) \
            or (quote is not None and _too_precise(quote, quote_places)) \
            or (price is not None and _too_precise(price, quote_places)) \
            or (stop_price is not None and _too_precise(stop_price, quote_places)):
        for name, value, places in (("quantity", quantity, rules.base_asset_precision),
                                    ("quoteOrderQty", quote, quote_places), ("price", price, quote_places),
                                    ("stopPrice", stop_price, quote_places)):
            if value is not None and _too_precise(value, places):
                raise rejected(f"Parameter '{name}' has too much precision.", -1111)
    if quantity is not None and quantity <= 0:
        raise rejected("Invalid quantity.", -1013)
    if quote is not None and quote <= 0:
        raise rejected("Invalid quoteOrderQty.", -1013)


def _check_filters(request: OrderRequest, rules: SymbolRules, market: SymbolMarket) -> None:
    if request.quote_quantity is not None:  # the quantity is known only once it fills (checked then)
        if not rules.meets_min_notional(request.quote_quantity, ONE) \
                and rules.min_notional_applies_to_market:
            raise filter_failure("NOTIONAL")
        return
    assert request.quantity is not None
    if request.type is MARKET:
        reference = market.reference_price()
        found = rules.violations(quantity=request.quantity, price=reference or ZERO, market=True)
        if reference is None:  # no price known: the notional cannot be judged, only the lot size
            found = [v for v in found if v.filter_type != "NOTIONAL"]
    elif request.type in MARKET_WHEN_TRIGGERED:
        assert request.stop_price is not None
        found = rules.violations(quantity=request.quantity, price=request.stop_price)
    else:
        assert request.price is not None
        found = rules.violations(quantity=request.quantity, price=request.price,
                                 stop_price=request.stop_price)
    if found:
        raise filter_failure(found[0].filter_type)


def check_quantity(quantity: Decimal, rules: SymbolRules) -> None:
    """LOT_SIZE/MARKET_LOT_SIZE of the quantity a quoteOrderQty market order works out to."""
    if rules.lots_fit(quantity, True):
        return  # the usual answer, without building the violation list (NOTIONAL is not judged here)
    found = [v for v in rules.violations(quantity=quantity, price=ONE, market=True)
             if v.filter_type != "NOTIONAL"]
    if found:
        raise filter_failure(found[0].filter_type)


def check_against_market(request: OrderRequest, market: SymbolMarket) -> None:
    if request.type is LIMIT_MAKER or request.type in STOP_TYPES:  # nothing to check for the others
        _check_against(request, market, market.current_price())


def _check_against(request: OrderRequest, market: SymbolMarket, last: Decimal | None) -> None:
    """check_against_market given the market's current price `last`."""
    if request.type is LIMIT_MAKER and request.price is not None:
        bid, ask = market.best_bid(), market.best_ask()
        opposite = (ask if request.side is BUY else bid) if market.has_book else last
        if opposite is not None and (request.price >= opposite if request.side is BUY
                                     else request.price <= opposite):
            raise rejected(WOULD_TAKE)
    if request.type in STOP_TYPES and request.stop_price is not None and last is not None \
            and stop_reached(request.type, request.side, request.stop_price, low=last, high=last):
        raise rejected(WOULD_TRIGGER)


def check_oco_legs(rules: SymbolRules, stop_leg: OrderRequest, other: OrderRequest,
                   market: SymbolMarket) -> None:
    """An OCO's legs: allowed, of the right types, alike, each a valid order, prices in order."""
    if not rules.oco_allowed:
        raise rejected("OCO orders are not supported for this symbol.")
    if stop_leg.type not in _STOP_LOSS_TYPES or other.type not in _TAKE_PROFIT_TYPES:
        raise rejected("Order type not supported in OCO.", -1158)
    if (stop_leg.symbol, stop_leg.side, stop_leg.quantity) != (other.symbol, other.side, other.quantity):
        raise rejected("Both legs of an OCO need the same symbol, side and quantity.", -1102)
    check_request(stop_leg, rules, market, against_market=False)
    check_request(other, rules, market, against_market=False)
    high, low = (_trigger(other), _trigger(stop_leg)) if stop_leg.side is SELL else (
        _trigger(stop_leg), _trigger(other))
    last = market.current_price()
    check_oco_prices(stop_leg.side, high, low, last)
    _check_against(stop_leg, market, last)
    _check_against(other, market, last)


def _trigger(leg: OrderRequest) -> Decimal:
    """The price at which an OCO leg acts: a LIMIT_MAKER's limit, a stop's stop price."""
    price = leg.price if leg.type is LIMIT_MAKER else leg.stop_price
    assert price is not None
    return price


def fires_on_fall(order_type: OrderType, side: Side) -> bool:
    """A SELL stop-loss (or BUY take-profit) fires when the price falls to its stop; a BUY stop-loss (or
    SELL take-profit) when it rises to it."""
    return (order_type in (STOP_LOSS, STOP_LOSS_LIMIT)) == (side is SELL)


def stop_reached(order_type: OrderType, side: Side, stop: Decimal, *, low: Decimal, high: Decimal) -> bool:
    """Did a market that ranged over [low, high] reach this stop?"""
    return low <= stop if fires_on_fall(order_type, side) else high >= stop


def check_oco_prices(side: Side, above_price: Decimal, below_price: Decimal, last: Decimal | None) -> None:
    """SELL: take-profit above the last price above the stop; BUY: stop above, limit below.
    `above_price`/`below_price` are each leg's limit (LIMIT_MAKER) or stop price."""
    if not above_price > below_price:
        raise rejected(BAD_OCO_PRICES)
    if last is not None and not above_price > last > below_price:
        raise rejected(BAD_OCO_PRICES)


def check_open_order_limits(open_orders: int, open_algo: int, adding: int, adding_algo: int,
                            max_orders: int, max_algo: int) -> None:
    if open_orders + adding > max_orders:
        raise filter_failure("MAX_NUM_ORDERS")
    if open_algo + adding_algo > max_algo:
        raise filter_failure("MAX_NUM_ALGO_ORDERS")


def _too_precise(value: Decimal, places: int) -> bool:
    """More than `places` decimals once trailing zeros are dropped: not a whole multiple of 1E-places.
    The remainder is one C operation (as_tuple/normalize build objects); NaN and infinities pass, as
    their exponent is no number of decimals."""
    if not value.is_finite():
        return False
    quantum = _QUANTA.get(places)
    if quantum is None:
        quantum = _QUANTA[places] = Decimal(1).scaleb(-places)
    try:
        return value % quantum != 0
    except InvalidOperation:  # too large to divide into quanta within the context's 28 digits
        return _decimals(value) > places


_QUANTA: dict[int, Decimal] = {}


def _decimals(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0
