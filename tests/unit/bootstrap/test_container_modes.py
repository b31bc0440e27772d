"""Each mode's object graph: paper resolves the real adapters (pointed at a local venue they trade
through), live the Binance ones with the right network and keys."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from dependency_injector import providers

from adapters.binance.exchange import BinanceExchange
from adapters.binance.market_feed import BinanceMarketFeed
from adapters.binance.server_clock import venue_clock
from adapters.binance.symbols import BinanceSymbolUniverse
from adapters.clocks import SystemClock
from adapters.onnx.model import OnnxModel
from adapters.paper.exchange import PaperExchange
from adapters.paper.live_book_feed import LiveBookFeed
from adapters.simulated.venue.app import create_venue_app, serve_venue
from adapters.simulated.venue.data import VenueData
from adapters.universe import FixedUniverse
from application.scan_market import ScanMarket
from bootstrap.commands.paper import paper_settings
from bootstrap.container import build_container
from bootstrap.mapping import market_urls
from bootstrap.settings_model import Settings
from domain.market_events import BookUpdated
from domain.orders import OrderRequest, OrderStatus, OrderType
from domain.values import Side
from ports.errors import ConfigurationError

VENUE = "http://127.0.0.1:8765"


def settings_for(tmp_path: Path, model: Path | None = None, **sections: dict[str, Any]) -> Settings:
    data: dict[str, Any] = {"logging": {"trade_log_path": str(tmp_path / "trades.csv"), "file_enabled": False,
                                        "trade_json_path": str(tmp_path / "trades.jsonl")},
                            "model": {"path": str(model or tmp_path / "none.onnx")},
                            "risk": {"initial_capital": 100.0}, "state": {"dir": str(tmp_path / "state")}}
    for name, values in sections.items():
        data[name] = {**data.get(name, {}), **values}
    return Settings.model_validate(data)


def test_paper_resolves_the_real_adapters_pointed_at_a_venue(tmp_path: Path, paper_model_path: Path) -> None:
    settings = paper_settings(settings_for(tmp_path, paper_model_path), VENUE, None)
    container = build_container(settings, "paper")
    exchange, feed = container.exchange(), container.market_feed()
    assert isinstance(exchange, PaperExchange) and exchange.rest_url == VENUE
    assert isinstance(feed, LiveBookFeed) and isinstance(feed.inner, BinanceMarketFeed)
    assert isinstance(container.symbol_universe(), BinanceSymbolUniverse)
    assert isinstance(container.scanner(), ScanMarket)
    assert isinstance(container.model(), OnnxModel)
    assert isinstance(container.clock(), SystemClock) and container.clock() is container.wall_clock()
    assert container.exchange() is exchange and container.market_feed() is feed  # one of each per run
    assert list(tmp_path.glob("trades*")) == []  # nothing touched the disk or the network


def test_paper_reads_production_market_data_whatever_the_testnet_switch(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, binance={"testnet": True})
    assert market_urls(settings, "paper") == ("wss://stream.binance.com:9443", "https://api.binance.com")
    assert market_urls(settings, "live") == ("wss://stream.testnet.binance.vision",
                                             "https://testnet.binance.vision")
    production = settings_for(tmp_path, binance={"testnet": False})
    assert market_urls(production, "live") == market_urls(production, "paper")


def test_a_fixed_symbol_list_is_the_universe_when_dynamic_symbols_is_off(tmp_path: Path) -> None:
    settings = paper_settings(settings_for(tmp_path), VENUE, "BTCUSDT,ETHUSDT")
    universe = build_container(settings, "paper").symbol_universe()
    assert isinstance(universe, FixedUniverse)
    assert asyncio.run(universe.tradable_symbols()) == ["BTCUSDT", "ETHUSDT"]


def test_live_uses_the_binance_exchange_on_the_chosen_network(tmp_path: Path) -> None:
    testnet = build_container(settings_for(tmp_path, binance={
        "testnet": True, "testnet_api_key": "k" * 64, "testnet_api_secret": "s" * 64}), "live")
    assert isinstance(testnet.exchange(), BinanceExchange)
    assert isinstance(testnet.market_feed(), BinanceMarketFeed)  # no simulated exchange to feed in live
    production = build_container(settings_for(tmp_path, binance={"testnet": False}), "live")
    with pytest.raises(ConfigurationError, match="BINANCE_API_KEY"):
        production.exchange()


def test_a_missing_model_is_a_configuration_error(tmp_path: Path) -> None:
    for mode in ("paper", "live"):  # a backtest loads its model in the command (--model)
        with pytest.raises(ConfigurationError, match="does not exist"):
            build_container(settings_for(tmp_path), mode).model()


async def test_the_paper_graph_trades_against_the_venue_book(tmp_path: Path, venue_data: VenueData) -> None:
    """Entered as the loop enters them: the exchange takes the venue's filters, the feed's books reach
    the simulated exchange (stamped in trading time), and a market buy fills against that book."""
    app = create_venue_app(venue_data, speed=60)
    async with serve_venue(app) as venue:
        container = build_container(paper_settings(settings_for(tmp_path), venue.rest_url, None), "paper")
        clock = await venue_clock(venue.rest_url, speed=60)
        container.clock.override(providers.Object(clock))
        exchange, feed = container.exchange(), container.market_feed()
        assert isinstance(exchange, PaperExchange) and isinstance(feed, LiveBookFeed)
        async with exchange, feed:
            assert set(venue_data.symbols) <= set(await exchange.symbol_rules())
            assert set(await container.symbol_universe().tradable_symbols()) <= set(venue_data.symbols)
            await feed.watch(["ETHUSDT"])
            book = None
            async for event in feed.events():
                if isinstance(event, BookUpdated) and event.book.symbol == "ETHUSDT":
                    book = event.book
                    break
            assert book is not None and abs(book.time_ms - clock.now_ms()) < 5_000  # venue time, not wall
            report = await exchange.place_order(OrderRequest(
                "ETHUSDT", Side.BUY, OrderType.MARKET, "t-1", quote_quantity=Decimal(20)))
        assert report.status is OrderStatus.FILLED
        assert book.asks[0][0] <= float(report.fills[0].price) <= book.asks[-1][0]
        balances = await exchange.balances()
        assert balances["USDT"].free < Decimal(100) and balances["ETH"].free > 0


def test_live_trading_time_is_the_exchanges_clock(tmp_path: Path) -> None:
    """Entry times are Binance's transactTime: hold times and timeouts must run on that same clock."""
    container = build_container(settings_for(tmp_path, binance={
        "testnet": True, "testnet_api_key": "k" * 64, "testnet_api_secret": "s" * 64}), "live")
    exchange: BinanceExchange = container.exchange()
    exchange.rest.offset_ms = 7_000  # the local clock runs 7 s behind Binance's
    skew = container.clock().now_ms() - container.wall_clock().now_ms()
    assert 6_900 <= skew <= 7_000
