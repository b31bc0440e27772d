"""Trading payload parsers on recorded Binance JSON (../shared/data/nautilus_trader) and the documented
response samples of binance-spot-api.md 1.6-1.8."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from adapters.binance.parse_orders import (
    PayloadError,
    parse_api_restrictions,
    parse_balances,
    parse_my_trades,
    parse_order,
    parse_order_list,
    parse_rate_limits,
    parse_symbol_rules,
    parse_taker_fee,
)
from adapters.binance.parse_user_events import AccountUpdate, ExecutionUpdate, ListUpdate, parse_user_event
from domain.orders import ListStatus, OrderStatus, OrderType
from domain.values import Side


def recorded_json(recorded: Path, name: str) -> Any:
    folder = "spot_ws_json" if name.startswith("ws_") else "spot_http_json"
    return json.loads((recorded / "nautilus_trader" / folder / f"{name}.json").read_text())


# Documented samples (binance-spot-api.md 1.6 / 1.8), as Binance sends them.
FULL_MARKET_SELL = {
    "symbol": "BTCUSDT",
    "orderId": 28,
    "orderListId": -1,
    "clientOrderId": "6gCrw2kRUAF9CvJDGP16IP",
    "transactTime": 1507725176595,
    "price": "0.00000000",
    "origQty": "10.00000000",
    "executedQty": "10.00000000",
    "origQuoteOrderQty": "0.000000",
    "cummulativeQuoteQty": "10.00000000",
    "status": "FILLED",
    "timeInForce": "GTC",
    "type": "MARKET",
    "side": "SELL",
    "workingTime": 1507725176595,
    "selfTradePreventionMode": "NONE",
    "fills": [
        {
            "price": "4000.00000000",
            "qty": "1.00000000",
            "commission": "4.00000000",
            "commissionAsset": "USDT",
            "tradeId": 56,
        }
    ],
}
OCO_PLACED = {
    "orderListId": 1,
    "contingencyType": "OCO",
    "listStatusType": "EXEC_STARTED",
    "listOrderStatus": "EXECUTING",
    "listClientOrderId": "lH1YDkuQKWiXVXHPSKYEIp",
    "transactionTime": 1710485608839,
    "symbol": "LTCBTC",
    "orders": [
        {"symbol": "LTCBTC", "orderId": 10, "clientOrderId": "44nZ"},
        {"symbol": "LTCBTC", "orderId": 11, "clientOrderId": "NuMp"},
    ],
    "orderReports": [
        {
            "symbol": "LTCBTC",
            "orderId": 11,
            "orderListId": 1,
            "clientOrderId": "NuMp",
            "transactTime": 1710485608839,
            "price": "3.00000000",
            "origQty": "5.00000000",
            "executedQty": "0.00000000",
            "origQuoteOrderQty": "0.000000",
            "cummulativeQuoteQty": "0.00000000",
            "status": "NEW",
            "timeInForce": "GTC",
            "type": "LIMIT_MAKER",
            "side": "SELL",
            "workingTime": 1710485608839,
            "selfTradePreventionMode": "NONE",
        },
        {
            "symbol": "LTCBTC",
            "orderId": 10,
            "orderListId": 1,
            "clientOrderId": "44nZ",
            "transactTime": 1710485608839,
            "price": "1.00000000",
            "origQty": "5.00000000",
            "executedQty": "0.00000000",
            "origQuoteOrderQty": "0.000000",
            "cummulativeQuoteQty": "0.00000000",
            "status": "NEW",
            "timeInForce": "GTC",
            "type": "STOP_LOSS_LIMIT",
            "side": "SELL",
            "stopPrice": "1.00000000",
            "workingTime": -1,
            "selfTradePreventionMode": "NONE",
        },
    ],
}


def test_full_order_response() -> None:
    report = parse_order(FULL_MARKET_SELL)
    assert (report.symbol, report.order_id, report.side, report.type) == (
        "BTCUSDT",
        28,
        Side.SELL,
        OrderType.MARKET,
    )
    assert report.status is OrderStatus.FILLED
    assert report.executed_quantity == Decimal("10")
    assert report.fills[0].price == Decimal("4000") and report.fills[0].trade_id == 56
    assert report.commission_in("USDT") == Decimal("4")
    assert report.time_ms == 1507725176595


def test_cancel_response_names_the_original_order() -> None:
    cancel = {
        **FULL_MARKET_SELL,
        "status": "CANCELED",
        "clientOrderId": "cancel-own-id",
        "origClientOrderId": "my-order-1",
    }
    assert parse_order(cancel).client_order_id == "my-order-1"


def test_oco_response_keeps_the_leg_order_of_the_list() -> None:
    oco = parse_order_list(OCO_PLACED)
    assert oco.status is ListStatus.EXECUTING
    assert [leg.order_id for leg in oco.orders] == [10, 11]
    assert oco.orders[0].stop_price == Decimal("1") and oco.orders[0].type is OrderType.STOP_LOSS_LIMIT
    assert oco.filled_leg is None


def test_float_quantity_is_refused() -> None:
    with pytest.raises(PayloadError, match="origQty"):
        parse_order({**FULL_MARKET_SELL, "origQty": 10.0})


def test_missing_field_is_named() -> None:
    broken = dict(FULL_MARKET_SELL)
    del broken["executedQty"]
    with pytest.raises(PayloadError, match="executedQty"):
        parse_order(broken)


def test_exchange_info_rules_and_rate_limits(recorded: Path) -> None:
    info = recorded_json(recorded, "http_spot_market_exchange_info")
    rules = parse_symbol_rules(info)
    btc = rules["BTCUSDT"]
    assert btc.tick_size == Decimal("0.01") and btc.step_size == Decimal("0.00001")
    assert btc.min_notional == Decimal("10")  # the legacy MIN_NOTIONAL filter of 2021
    limits = {(r.kind, r.interval_ms): r.limit for r in parse_rate_limits(info)}
    assert limits[("REQUEST_WEIGHT", 60_000)] == 1200
    assert limits[("ORDERS", 10_000)] == 50
    assert limits[("RAW_REQUESTS", 300_000)] == 6100


def test_account_balances_and_fee(recorded: Path) -> None:
    account = recorded_json(recorded, "http_spot_wallet_account")
    balances = parse_balances(account)
    assert balances["BTC"].free == Decimal("4723846.89208129")
    assert balances["LTC"].locked == 0
    assert parse_taker_fee(account) == Decimal("0.0015")  # 15 bps
    assert parse_taker_fee({"commissionRates": {"taker": "0.00100000"}}) == Decimal("0.001")


def test_my_trades_documented_row() -> None:
    rows = [
        {
            "symbol": "BNBBTC",
            "id": 28457,
            "orderId": 100234,
            "orderListId": -1,
            "price": "4.00000100",
            "qty": "12.00000000",
            "quoteQty": "48.000012",
            "commission": "10.10000000",
            "commissionAsset": "BNB",
            "time": 1499865549590,
            "isBuyer": True,
            "isMaker": False,
            "isBestMatch": True,
        }
    ]
    trade = parse_my_trades(rows)[0]
    assert trade.order_id == 100234 and trade.is_buyer and trade.fill.trade_id == 28457
    assert trade.fill.commission == Decimal("10.1")


def test_api_restrictions() -> None:
    raw = {
        "ipRestrict": False,
        "createTime": 1698645219000,
        "enableReading": True,
        "enableWithdrawals": False,
        "enableSpotAndMarginTrading": True,
    }
    restrictions = parse_api_restrictions(raw)
    assert not restrictions.enable_withdrawals and not restrictions.ip_restrict
    assert restrictions.enable_spot_trading


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("new", OrderStatus.NEW),
        ("canceled", OrderStatus.CANCELED),
        ("expired", OrderStatus.EXPIRED),
        ("rejected", OrderStatus.REJECTED),
    ],
)
def test_execution_reports_recorded(recorded: Path, name: str, status: OrderStatus) -> None:
    event = recorded_json(recorded, f"ws_spot_execution_report_{name}")["data"]
    update = parse_user_event(event)
    assert isinstance(update, ExecutionUpdate)
    assert update.report.status is status
    assert update.report.client_order_id == event["c"]
    assert update.report.fills == ()


def test_trade_execution_report_carries_its_fill(recorded: Path) -> None:
    event = recorded_json(recorded, "ws_spot_execution_report_trade")["data"]
    update = parse_user_event(event)
    assert isinstance(update, ExecutionUpdate)
    assert update.execution_type == "TRADE"
    assert update.report.executed_quantity == Decimal("0.5")
    assert update.report.average_price == Decimal("2499.5")
    (fill,) = update.report.fills
    assert (fill.price, fill.quantity, fill.commission, fill.commission_asset) == (
        Decimal("2499.5"),
        Decimal("0.5"),
        Decimal("0.0005"),
        "ETH",
    )
    assert fill.is_maker


def test_cancel_report_names_the_original_order() -> None:
    event = {
        "e": "executionReport",
        "E": 1,
        "s": "ETHBTC",
        "c": "cancel-id",
        "C": "order-id",
        "S": "SELL",
        "o": "LIMIT",
        "q": "1",
        "p": "0.1",
        "P": "0",
        "x": "CANCELED",
        "X": "CANCELED",
        "i": 7,
        "z": "0",
        "Z": "0",
        "T": 2,
        "g": -1,
    }
    update = parse_user_event(event)
    assert isinstance(update, ExecutionUpdate)
    assert update.report.client_order_id == "order-id"


def test_account_position_and_list_status() -> None:
    account = parse_user_event(
        {
            "e": "outboundAccountPosition",
            "E": 1564034571105,
            "u": 1564034571073,
            "B": [{"a": "ETH", "f": "10000.000000", "l": "0.000000"}],
        }
    )
    assert isinstance(account, AccountUpdate)
    assert account.balances[0].free == Decimal("10000")
    listed = parse_user_event(
        {
            "e": "listStatus",
            "E": 1564035303637,
            "s": "ETHBTC",
            "g": 2,
            "c": "OCO",
            "l": "EXEC_STARTED",
            "L": "EXECUTING",
            "r": "NONE",
            "C": "F4QN4G8DlFATFlIUQ0cjdD",
            "T": 1564035303625,
            "O": [{"s": "ETHBTC", "i": 17, "c": "AJYs"}, {"s": "ETHBTC", "i": 18, "c": "bfYP"}],
        }
    )
    assert isinstance(listed, ListUpdate)
    assert listed.order_ids == (17, 18) and listed.status is ListStatus.EXECUTING


def test_untracked_event_kind_is_ignored() -> None:
    assert parse_user_event({"e": "balanceUpdate", "E": 1, "a": "BTC", "d": "1", "T": 1}) is None
