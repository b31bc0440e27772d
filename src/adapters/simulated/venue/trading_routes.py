"""What each signed trading endpoint of the venue does with the engine (routing and checks: trading.py).

Every action takes the desk, the request parameters (signature removed) and the API key name, and
returns the JSON body Binance would send.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from adapters.simulated.costs import BNB_DISCOUNT_RATE
from adapters.simulated.venue import trading_json as wire
from adapters.simulated.venue.signing import ApiError
from adapters.simulated.venue.trading_desk import TradingDesk
from domain.values import Side

Params = dict[str, str]
_EITHER = "Param '%s' or '%s' must be sent, but both were empty/null!"


def _symbol(desk: TradingDesk, params: Params) -> str:
    symbol = wire.required(params, "symbol")
    if symbol not in desk.engine.rules:
        raise ApiError(400, -1121, "Invalid symbol.")
    return symbol


def _order_ident(params: Params, id_name: str, client_name: str) -> tuple[int | None, str | None]:
    order_id, client_id = wire.integer(params, id_name), params.get(client_name) or None
    if order_id is None and client_id is None:
        raise ApiError(400, -1102, _EITHER % (client_name, id_name))
    return order_id, client_id


def new_order(desk: TradingDesk, params: Params, key: str) -> Any:
    symbol, side = _symbol(desk, params), wire.side_of(params)
    request = wire.order_request(params, symbol=symbol, side=side, quantity=wire.number(params, "quantity"),
                                 fallback_id=f"venue{desk.now_ms()}{len(desk.engine.trades)}")
    report = desk.engine.place_order(request, desk.now_ms())
    kind = params.get("newOrderRespType") or ("FULL" if request.type.value in ("MARKET", "LIMIT") else "ACK")
    if kind not in ("ACK", "RESULT", "FULL"):
        raise ApiError(400, -1130, "Data sent for parameter 'newOrderRespType' is not valid.")
    return wire.order_json(report, kind=kind, now_ms=desk.now_ms())


def cancel_order(desk: TradingDesk, params: Params, key: str) -> Any:
    symbol = _symbol(desk, params)
    order_id, client_id = _order_ident(params, "orderId", "origClientOrderId")
    report = desk.engine.cancel_order(symbol, order_id=order_id, client_order_id=client_id,
                                      now_ms=desk.now_ms())
    return wire.cancel_json(report, params.get("newClientOrderId") or desk.next_cancel_id(), desk.now_ms())


def cancel_open_orders(desk: TradingDesk, params: Params, key: str) -> Any:
    symbol = _symbol(desk, params)
    reports = []
    while open_now := desk.engine.open_orders(symbol):  # an OCO leg takes its sibling with it
        report = desk.engine.cancel_order(symbol, order_id=open_now[0].order_id, now_ms=desk.now_ms())
        reports.append(wire.cancel_json(report, desk.next_cancel_id(), desk.now_ms()))
    return reports


def get_order(desk: TradingDesk, params: Params, key: str) -> Any:
    symbol = _symbol(desk, params)
    order_id, client_id = _order_ident(params, "orderId", "origClientOrderId")
    return wire.order_json(desk.engine.get_order(symbol, order_id=order_id, client_order_id=client_id),
                           kind="QUERY")


def open_orders(desk: TradingDesk, params: Params, key: str) -> Any:
    symbol = _symbol(desk, params) if params.get("symbol") else None
    return [wire.order_json(r, kind="QUERY") for r in desk.engine.open_orders(symbol)]


def new_oco(desk: TradingDesk, params: Params, key: str) -> Any:
    symbol, side = _symbol(desk, params), wire.side_of(params)
    quantity = wire.number(params, "quantity", required=True)
    list_id = wire.client_id(params, "listClientOrderId", f"venuelist{desk.now_ms()}")
    above = wire.order_request(params, "above", symbol=symbol, side=side, quantity=quantity,
                               fallback_id=f"{list_id[:30]}-above")
    below = wire.order_request(params, "below", symbol=symbol, side=side, quantity=quantity,
                               fallback_id=f"{list_id[:30]}-below")
    report = desk.engine.place_order_list(list_client_id=list_id, above=above, below=below,
                                          now_ms=desk.now_ms())
    kind = params.get("newOrderRespType") or "ACK"
    return wire.list_json(report, now_ms=desk.now_ms(), with_reports=kind if kind != "ACK" else "ACK")


def cancel_list(desk: TradingDesk, params: Params, key: str) -> Any:
    symbol = _symbol(desk, params)
    list_id, list_client_id = _order_ident(params, "orderListId", "listClientOrderId")
    report = desk.engine.cancel_order_list(symbol, order_list_id=list_id, list_client_id=list_client_id,
                                           now_ms=desk.now_ms())
    return wire.list_json(report, now_ms=desk.now_ms(), with_reports="RESULT")


def get_list(desk: TradingDesk, params: Params, key: str) -> Any:
    list_id, list_client_id = _order_ident(params, "orderListId", "origClientOrderId")
    report = desk.engine.get_order_list(order_list_id=list_id, list_client_id=list_client_id)
    return wire.list_json(report, now_ms=desk.now_ms(), with_reports=None)


def my_trades(desk: TradingDesk, params: Params, key: str) -> Any:
    symbol = _symbol(desk, params)
    order_id = wire.integer(params, "orderId")
    limit = min(wire.integer(params, "limit") or 500, 1000)
    rows = [t for t in desk.engine.trades
            if t.symbol == symbol and (order_id is None or t.order_id == order_id)]
    return [{"symbol": t.symbol, "id": t.fill.trade_id, "orderId": t.order_id, "orderListId": t.order_list_id,
             "price": wire.s8(t.fill.price), "qty": wire.s8(t.fill.quantity),
             "quoteQty": wire.s8(t.fill.price * t.fill.quantity), "commission": wire.s8(t.fill.commission),
             "commissionAsset": t.fill.commission_asset, "time": t.time_ms, "isBuyer": t.side is Side.BUY,
             "isMaker": t.fill.is_maker, "isBestMatch": True} for t in rows[-limit:]]


def account(desk: TradingDesk, params: Params, key: str) -> Any:
    costs = desk.config.costs
    balances = desk.engine.accounts.snapshot().values()
    if params.get("omitZeroBalances") == "true":
        balances = [b for b in balances if b.total > 0]  # type: ignore[assignment]

    def bps(rate: Decimal) -> int:  # Binance's integer commission (15 = 0.15%)
        return int(rate * 10_000)

    return {"makerCommission": bps(costs.maker_fee), "takerCommission": bps(costs.taker_fee),
            "buyerCommission": 0, "sellerCommission": 0,
            "commissionRates": {"maker": wire.s8(costs.maker_fee), "taker": wire.s8(costs.taker_fee),
                                "buyer": wire.s8(Decimal(0)), "seller": wire.s8(Decimal(0))},
            "canTrade": True, "canWithdraw": desk.api_key(key).enable_withdrawals, "canDeposit": True,
            "brokered": False, "requireSelfTradePrevention": False, "preventSor": False,
            "updateTime": desk.now_ms(), "accountType": "SPOT",
            "balances": [wire.balance_json(b) for b in balances], "permissions": ["SPOT"], "uid": 1}


def commission(desk: TradingDesk, params: Params, key: str) -> Any:
    """GET /api/v3/account/commission: this account's table for the symbol (SimulatorCosts.symbol_fees).
    The BNB discount is served as the rate the standard part is reduced by (0.25 = 25% off)."""
    symbol = _symbol(desk, params)
    costs = desk.config.costs
    zero = wire.s8(Decimal(0))
    nothing = {"maker": zero, "taker": zero, "buyer": zero, "seller": zero}
    return {"symbol": symbol,
            "standardCommission": {"maker": wire.s8(costs.fee_rate(maker=True, symbol=symbol)),
                                   "taker": wire.s8(costs.fee_rate(maker=False, symbol=symbol)),
                                   "buyer": zero, "seller": zero},
            "specialCommission": dict(nothing), "taxCommission": dict(nothing),
            "discount": {"enabledForAccount": costs.bnb_discount, "enabledForSymbol": True,
                         "discountAsset": "BNB", "discount": wire.s8(BNB_DISCOUNT_RATE)}}


def api_restrictions(desk: TradingDesk, params: Params, key: str) -> Any:
    found = desk.api_key(key)
    return {"ipRestrict": found.ip_restrict, "createTime": 1_700_000_000_000, "enableReading": True,
            "enableWithdrawals": found.enable_withdrawals, "enableInternalTransfer": False,
            "enableMargin": False, "enableFutures": False, "permitsUniversalTransfer": False,
            "enableVanillaOptions": False, "enableFixApiTrade": False, "enableFixReadOnly": True,
            "enableSpotAndMarginTrading": True, "enablePortfolioMarginTrading": False,
            **found.restrictions}


def _fixed(weight: int) -> Callable[[Params], int]:
    return lambda params: weight


# method, path, REQUEST_WEIGHT (of the parameters), ORDERS count, action
ROUTES: list[tuple[str, str, Callable[[Params], int], int, Callable[[TradingDesk, Params, str], Any]]] = [
    ("POST", "/api/v3/order", _fixed(1), 1, new_order),
    ("DELETE", "/api/v3/order", _fixed(1), 0, cancel_order),
    ("GET", "/api/v3/order", _fixed(4), 0, get_order),
    ("DELETE", "/api/v3/openOrders", _fixed(1), 0, cancel_open_orders),
    ("GET", "/api/v3/openOrders", lambda p: 6 if p.get("symbol") else 80, 0, open_orders),
    ("POST", "/api/v3/orderList/oco", _fixed(1), 2, new_oco),
    ("DELETE", "/api/v3/orderList", _fixed(1), 0, cancel_list),
    ("GET", "/api/v3/orderList", _fixed(4), 0, get_list),
    ("GET", "/api/v3/myTrades", lambda p: 5 if p.get("orderId") else 20, 0, my_trades),
    ("GET", "/api/v3/account", _fixed(20), 0, account),
    ("GET", "/api/v3/account/commission", _fixed(20), 0, commission),
    ("GET", "/sapi/v1/account/apiRestrictions", _fixed(1), 0, api_restrictions),
]
