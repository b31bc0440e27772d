"""MARKET orders: walking a real book, partial fills on thin depth, quoteOrderQty, slippage without depth."""

from __future__ import annotations

import json
from decimal import ROUND_UP, Decimal
from pathlib import Path

import pytest

from adapters.simulated.costs import SimulatorCosts
from domain.orders import OrderRequest, OrderStatus, OrderType
from domain.values import BookTop, Side, Trade
from ports.errors import OrderRejected

D = Decimal


def market(side: Side, qty: str | None = None, quote: str | None = None, cid: str = "m1",
           symbol: str = "BTCUSDT") -> OrderRequest:
    return OrderRequest(symbol, side, OrderType.MARKET, cid, None if qty is None else D(qty),
                        quote_quantity=None if quote is None else D(quote))


@pytest.fixture(scope="module")
def depth(recorded: Path) -> dict[str, list[tuple[Decimal, Decimal]]]:
    raw = json.loads((recorded / "nautilus_trader/spot_http_json/http_spot_market_depth.json").read_text())
    return {side: [(D(p), D(q)) for p, q in raw[side]] for side in ("bids", "asks")}


@pytest.fixture
def btc(make_engine, real_rules, real_book):
    engine = make_engine({"USDT": D(500_000), "BTC": D(1)}, rules=real_rules)
    engine.observe_book(real_book)
    return engine


def test_an_order_larger_than_the_book_fills_every_level_then_expires(btc, depth) -> None:
    report = btc.place_order(market(Side.BUY, "2.5"), 2_000)
    assert report.status is OrderStatus.EXPIRED
    assert [(f.price, f.quantity) for f in report.fills] == depth["asks"]
    assert report.executed_quantity == sum(q for _, q in depth["asks"])
    assert report.cumulative_quote == sum(p * q for p, q in depth["asks"])
    assert btc.accounts.free("USDT") == D(500_000) - report.cumulative_quote
    assert btc.stats().orders_partially_filled == 1


def test_a_sell_walks_the_bids_and_pays_commission_in_quote(btc, depth) -> None:
    report = btc.place_order(market(Side.SELL, "0.005"), 2_000)
    (p1, q1), (p2, _) = depth["bids"][:2]
    assert [(f.price, f.quantity) for f in report.fills] == [(p1, q1), (p2, D("0.005") - q1)]
    assert report.status is OrderStatus.FILLED
    fees = [f.commission for f in report.fills]
    assert fees == [(f.price * f.quantity * D("0.001")).quantize(D("1e-8"), ROUND_UP) for f in report.fills]
    assert {f.commission_asset for f in report.fills} == {"USDT"}
    assert btc.accounts.free("USDT") == D(500_000) + report.cumulative_quote - sum(fees)
    assert btc.accounts.free("BTC") == D("0.995")


def test_quote_order_qty_spends_at_most_the_amount_on_whole_steps(btc, depth) -> None:
    report = btc.place_order(market(Side.BUY, quote="50"), 2_000)
    best_ask = depth["asks"][0][0]
    expected_qty = (D(50) / best_ask).quantize(D("0.00001"), rounding="ROUND_DOWN")
    assert report.executed_quantity == expected_qty
    assert report.cumulative_quote <= D(50)
    assert report.status is OrderStatus.FILLED
    assert btc.accounts.free("USDT") == D(500_000) - report.cumulative_quote
    assert btc.accounts.free("BTC") == D(1) + expected_qty - report.commission_in("BTC")
    assert report.commission_in("BTC") == expected_qty * D("0.001")


def test_liquidity_taken_is_not_offered_again_until_the_next_book(btc, depth, real_book) -> None:
    btc.place_order(market(Side.BUY, "0.5", cid="a"), 2_000)
    second = btc.place_order(market(Side.BUY, "0.5", cid="b"), 2_001)
    first_level_left = depth["asks"][0][1] - D("0.5")
    assert second.fills[0].quantity == first_level_left
    assert second.fills[1].price == depth["asks"][1][0]
    btc.observe_book(real_book)
    third = btc.place_order(market(Side.BUY, "0.5", cid="c"), 2_002)
    assert [(f.price, f.quantity) for f in third.fills] == [(depth["asks"][0][0], D("0.5"))]


def test_without_a_book_the_last_price_moves_against_the_trader_by_the_slippage(make_engine) -> None:
    engine = make_engine({"USDT": D(1000), "TEST": D(5)}, costs=SimulatorCosts(slippage_bps=D(2)))
    engine.observe_trade(Trade("TESTUSDT", 100.0, 1.0, 1_000, buyer_is_maker=False))
    bought = engine.place_order(market(Side.BUY, "1", symbol="TESTUSDT", cid="b"), 2_000)
    sold = engine.place_order(market(Side.SELL, "1", symbol="TESTUSDT", cid="s"), 2_001)
    assert bought.fills[0].price == D("100.02")  # 100 * 1.0002, on the 0.01 tick
    assert sold.fills[0].price == D("99.98")
    assert bought.status is sold.status is OrderStatus.FILLED


def test_beyond_a_book_top_the_rest_fills_at_a_slipped_price(make_engine) -> None:
    engine = make_engine({"USDT": D(1000)}, costs=SimulatorCosts(slippage_bps=D(2)))
    engine.observe_book(BookTop("TESTUSDT", 99.99, 1.0, 100.01, 1.0, time_ms=1_000))
    report = engine.place_order(market(Side.BUY, "3", symbol="TESTUSDT"), 2_000)
    slipped_up = (D("100.01") * D("1.0002")).quantize(D("0.01"), rounding=ROUND_UP)
    assert [(f.price, f.quantity) for f in report.fills] == [(D("100.01"), D(1)), (slipped_up, D(2))]
    assert report.status is OrderStatus.FILLED


def test_a_market_order_never_fills_without_any_known_price(make_engine) -> None:
    engine = make_engine()
    with pytest.raises(OrderRejected) as caught:
        engine.place_order(market(Side.BUY, quote="20", symbol="TESTUSDT"), 1_000)
    assert caught.value.code == -1112
    assert engine.accounts.free("USDT") == D(1000)
