"""GET /api/v3/account/commission: parsed to a FeeSchedule, cached a day, and served by the local venue
from its per-account, per-symbol table (the real BinanceExchange on 127.0.0.1)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from tests.support.clocks import ManualClock
from tests.support.commission_venue import commission_venue

from adapters.binance.commissions import CommissionCache, parse_commission
from adapters.binance.exchange import BinanceExchange
from adapters.binance.parse_orders import PayloadError
from adapters.simulated.venue.trading import TradingVenue
from adapters.simulated.venue.trading_desk import DEFAULT_API_KEY, DEFAULT_API_SECRET
from domain.fees import FeeSchedule
from domain.orders import OrderRequest, OrderStatus, OrderType
from domain.time_units import DAY_MS
from domain.values import Side
from ports.errors import ExchangeError, OrderRejected

# Binance's documented example (rates fictional), shaped as binance-spot-api.md 1.6 lists it.
DOCUMENTED = {
    "symbol": "BTCUSDT",
    "standardCommission": {"maker": "0.00000010", "taker": "0.00000020", "buyer": "0.00000030",
                           "seller": "0.00000040"},
    "specialCommission": {"maker": "0.01000000", "taker": "0.02000000", "buyer": "0.03000000",
                          "seller": "0.04000000"},
    "taxCommission": {"maker": "0.00000112", "taker": "0.00000114", "buyer": "0.00000118",
                      "seller": "0.00000116"},
    "discount": {"enabledForAccount": True, "enabledForSymbol": True, "discountAsset": "BNB",
                 "discount": "0.25000000"},
}


def test_standard_tax_and_special_parts_add_up_and_the_discount_reduces_the_standard_part() -> None:
    fees = parse_commission(DOCUMENTED)
    assert fees.taker == pytest.approx(0.0000002 + 0.0000004)  # + the larger of buyer/seller
    assert fees.maker == pytest.approx(0.0000001 + 0.0000004)
    assert fees.taker_extra == pytest.approx(0.02 + 0.04 + 0.00000114 + 0.00000118)
    assert fees.bnb_discount and fees.discount_rate == pytest.approx(0.25)
    assert fees.effective_taker == pytest.approx(0.0000006 * 0.75 + fees.taker_extra)


def test_a_standard_account_without_the_discount() -> None:
    plain = {"symbol": "ETHUSDT", "standardCommission": {"maker": "0.00100000", "taker": "0.00100000",
                                                          "buyer": "0.00000000", "seller": "0.00000000"},
             "discount": {"enabledForAccount": False, "enabledForSymbol": True, "discountAsset": "BNB",
                          "discount": "0.25000000"}}
    assert parse_commission(plain) == FeeSchedule(0.001, 0.001, bnb_discount=False, discount_rate=0.0)
    assert parse_commission(plain).effective_taker == 0.001


def test_a_payload_without_the_standard_part_is_refused_by_name() -> None:
    with pytest.raises(PayloadError, match="standardCommission"):
        parse_commission({"symbol": "ETHUSDT"})


async def test_each_symbol_is_asked_once_a_day() -> None:
    asked: list[str] = []

    async def fetch(symbol: str) -> Any:
        asked.append(symbol)
        return DOCUMENTED

    clock = ManualClock()
    cache = CommissionCache(fetch, clock)
    await cache.get("BTCUSDT")
    await cache.get("BTCUSDT")
    await cache.get("ETHUSDT")
    clock.advance_to(clock.now + DAY_MS - 1)
    await cache.get("BTCUSDT")
    assert asked == ["BTCUSDT", "ETHUSDT"]
    clock.advance_to(clock.now + 1)
    await cache.get("BTCUSDT")
    assert asked == ["BTCUSDT", "ETHUSDT", "BTCUSDT"]


@pytest.fixture
async def venue(sample_klines: Path) -> AsyncIterator[TradingVenue]:
    async with commission_venue(sample_klines) as running:
        yield running


@pytest.fixture
async def exchange(venue: TradingVenue) -> AsyncIterator[BinanceExchange]:
    async with BinanceExchange(SecretStr(DEFAULT_API_KEY), SecretStr(DEFAULT_API_SECRET),
                               rest_url=venue.rest_url, ws_api_url=venue.ws_api_url, timeout=2.0,
                               user_data=False) as ex:
        yield ex


async def test_the_venue_serves_its_per_symbol_table_to_the_real_adapter(exchange: BinanceExchange) -> None:
    zero = await exchange.commission("XRPUSDT")
    assert (zero.effective_taker, zero.effective_maker) == (0.0, 0.0)
    standard = await exchange.commission("BTCUSDT")
    assert (standard.taker, standard.maker, standard.bnb_discount) == (0.001, 0.001, True)
    assert standard.effective_taker == pytest.approx(0.00075)


async def test_the_adapter_asks_the_endpoint_once_for_a_symbol(exchange: BinanceExchange,
                                                               venue: TradingVenue) -> None:
    before = sum(venue.desk.answers.values())
    await exchange.commission("XRPUSDT")
    await exchange.commission("XRPUSDT")
    assert sum(venue.desk.answers.values()) - before == 1


async def test_an_unknown_symbol_is_the_venues_invalid_symbol(exchange: BinanceExchange) -> None:
    with pytest.raises((OrderRejected, ExchangeError), match=r"-1121|Invalid symbol"):
        await exchange.commission("NOPEUSDT")


async def test_a_maker_buy_on_the_venue_fills_only_when_the_price_trades_through_it(
        exchange: BinanceExchange, venue: TradingVenue) -> None:
    """The venue matches with the simulator's engine: a touch may be queued behind others, a print below
    the limit fills it, at the limit, as a maker, at the pair's own (zero) maker rate."""
    desk = venue.desk
    desk.pin_market("XRPUSDT", Decimal("1.3"))
    tick = desk.state.rules["XRPUSDT"].tick_size
    limit = Decimal("1.3") - 5 * tick
    order = await exchange.place_order(OrderRequest("XRPUSDT", Side.BUY, OrderType.LIMIT_MAKER, "mk-1",
                                                    Decimal(10), price=limit))
    desk.print_trade("XRPUSDT", limit)  # a touch
    assert (await exchange.get_order("XRPUSDT", order.order_id)).status is OrderStatus.NEW
    desk.print_trade("XRPUSDT", limit - tick)  # through
    filled = await exchange.get_order("XRPUSDT", order.order_id)
    assert filled.status is OrderStatus.FILLED
    assert all(f.price == limit and f.is_maker and f.commission == 0 for f in filled.fills)
