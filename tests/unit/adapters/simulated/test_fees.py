"""Commissions as Binance charges them: on the received asset, maker vs taker, the BNB discount."""

from __future__ import annotations

from decimal import ROUND_UP, Decimal

import pytest

from adapters.simulated.accounts import Accounts
from adapters.simulated.costs import SimulatorCosts, SymbolCommission
from domain.orders import OrderRequest, OrderType
from domain.values import Side, Trade
from ports.errors import InsufficientBalance

D = Decimal


def buy_quote(amount: str, cid: str = "b") -> OrderRequest:
    return OrderRequest("TESTUSDT", Side.BUY, OrderType.MARKET, cid, quote_quantity=D(amount))


def sell(qty: str, cid: str = "s") -> OrderRequest:
    return OrderRequest("TESTUSDT", Side.SELL, OrderType.MARKET, cid, D(qty))


@pytest.fixture
def bnb_costs() -> SimulatorCosts:
    return SimulatorCosts(bnb_discount=True, slippage_bps=D(0))


def test_with_bnb_held_and_priced_the_commission_is_paid_in_bnb_at_a_quarter_off(make_engine, bnb_costs,
                                                                                 make_deep_book) -> None:
    engine = make_engine({"USDT": D(1000), "BNB": D(1)}, costs=bnb_costs)
    engine.observe_book(make_deep_book())
    engine.observe_trade(Trade("BNBUSDT", 300.0, 1.0, 1_000, buyer_is_maker=False))
    report = engine.place_order(buy_quote("100"), 2_000)
    expected = (report.cumulative_quote * D("0.001") * D("0.75") / D(300)).quantize(D("1e-8"), ROUND_UP)
    assert report.commission_in("BNB") == expected
    assert report.commission_in("TEST") == 0
    assert engine.accounts.free("TEST") == report.executed_quantity  # nothing taken from what was bought
    assert engine.accounts.free("BNB") == D(1) - expected


def test_without_bnb_the_discount_falls_back_to_the_normal_commission(make_engine, bnb_costs,
                                                                      make_deep_book) -> None:
    engine = make_engine({"USDT": D(1000)}, costs=bnb_costs)
    engine.observe_book(make_deep_book())
    engine.observe_trade(Trade("BNBUSDT", 300.0, 1.0, 1_000, buyer_is_maker=False))
    report = engine.place_order(buy_quote("100"), 2_000)
    assert report.commission_in("TEST") == report.executed_quantity * D("0.001")
    assert report.commission_in("BNB") == 0


def test_without_a_bnb_price_the_discount_cannot_apply(make_engine, bnb_costs, make_deep_book) -> None:
    engine = make_engine({"USDT": D(1000), "BNB": D(1)}, costs=bnb_costs)
    engine.observe_book(make_deep_book())
    report = engine.place_order(buy_quote("100"), 2_000)
    assert report.commission_in("TEST") > 0 and report.commission_in("BNB") == 0


def test_a_sell_pays_commission_in_the_quote_asset_at_the_taker_rate(make_engine, make_deep_book) -> None:
    costs = SimulatorCosts(taker_fee=D("0.002"), maker_fee=D("0.0001"))
    engine = make_engine({"TEST": D(3)}, costs=costs)
    engine.observe_book(make_deep_book())
    report = engine.place_order(sell("3"), 2_000)
    assert report.commission_in("USDT") == D(3) * D("99.99") * D("0.002")
    assert engine.accounts.free("USDT") == D(3) * D("99.99") * (1 - D("0.002"))
    assert engine.stats().fees_paid == {"USDT": report.commission_in("USDT")}


def test_costs_are_checked_and_built_from_float_settings() -> None:
    costs = SimulatorCosts.from_rates(taker_fee=0.001, maker_fee=0.00075, slippage_bps=1.5)
    assert (costs.taker_fee, costs.maker_fee, costs.slippage_bps) == (D("0.001"), D("0.00075"), D("1.5"))
    with pytest.raises(ValueError, match="taker_fee"):
        SimulatorCosts(taker_fee=D("-0.001"))


def test_accounts_lock_unlock_and_refuse_to_go_negative() -> None:
    accounts = Accounts({"USDT": D(10)})
    accounts.lock("USDT", D(4))
    assert (accounts.free("USDT"), accounts.locked("USDT")) == (D(6), D(4))
    with pytest.raises(InsufficientBalance):
        accounts.lock("USDT", D(7))
    with pytest.raises(InsufficientBalance):
        accounts.debit("USDT", D("6.01"))
    accounts.unlock("USDT", D(4))
    assert accounts.snapshot()["USDT"].free == D(10)


def test_a_pair_of_the_accounts_table_pays_its_own_rate(make_engine, make_deep_book) -> None:
    costs = SimulatorCosts(slippage_bps=D(0), symbol_fees={"TESTUSDT": SymbolCommission(D(0), D(0))})
    engine = make_engine({"USDT": D(1000)}, costs=costs)
    engine.observe_book(make_deep_book())
    report = engine.place_order(buy_quote("100"), 2_000)
    assert report.executed_quantity > 0 and report.commission_in("TEST") == 0
    assert engine.accounts.free("TEST") == report.executed_quantity
    assert costs.schedule("TESTUSDT").effective_taker == 0.0
    assert costs.schedule("BNBUSDT").effective_taker == 0.001


def test_a_rate_outside_a_fraction_is_refused_naming_the_symbol() -> None:
    with pytest.raises(ValueError, match=r"symbol_fees\[TESTUSDT\]\.taker"):
        SimulatorCosts(symbol_fees={"TESTUSDT": SymbolCommission(D("0.2"), D(0))})
