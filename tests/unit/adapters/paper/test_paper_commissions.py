"""Paper's fees (issue 16 item 5): with API keys it asks the account commission endpoint exactly as live does
(the local Binance-compatible venue on 127.0.0.1 answers it from its per-symbol table) and its simulator
charges those rates; without keys, or when the call fails, the configured table stays, said in one line."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import SecretStr
from tests.support.commission_venue import commission_venue
from tests.support.logs import Logs

from adapters.binance.commissions import signed_account_commissions
from adapters.clocks import SystemClock
from adapters.paper.exchange import PaperExchange
from adapters.simulated.costs import SimulatorCosts
from adapters.simulated.venue.trading import TradingVenue
from adapters.simulated.venue.trading_desk import DEFAULT_API_KEY, DEFAULT_API_SECRET
from application.symbol_fees import SymbolFees
from bootstrap.commands.paper import paper_settings
from bootstrap.container import build_container
from bootstrap.settings_model import Settings
from domain.market_events import BookTopUpdated
from domain.orders import OrderReport, OrderRequest, OrderType
from domain.values import BookTop, Side

# paper's own settings: 0.2% everywhere, unlike the account (0.1% with the BNB discount, XRPUSDT free)
CONFIGURED = SimulatorCosts.from_rates(taker_fee=0.002, maker_fee=0.002, latency_ms=0)
WRONG_SECRET = "not-the-venue-secret-0123456789"


@pytest.fixture
async def venue(sample_klines: Path) -> AsyncIterator[TradingVenue]:
    async with commission_venue(sample_klines) as running:
        yield running


def paper(venue: TradingVenue, secret: str | None = DEFAULT_API_SECRET) -> PaperExchange:
    account = None if secret is None else signed_account_commissions(
        SecretStr(DEFAULT_API_KEY), SecretStr(secret), rest_url=venue.rest_url, clock=SystemClock(),
        timeout=2.0)
    return PaperExchange(venue.rest_url, {"USDT": Decimal(100)}, SystemClock(), CONFIGURED, account=account)


async def buy(exchange: PaperExchange, symbol: str, price: float) -> OrderReport:
    exchange.observe(BookTopUpdated(BookTop(symbol, price * 0.9999, 1e6, price, 1e6)))
    return await exchange.place_order(OrderRequest(symbol, Side.BUY, OrderType.MARKET, f"p-{symbol}",
                                                   quote_quantity=Decimal(20)))


def commission_rate(report: OrderReport) -> Decimal:
    """The fills' commission (taken in base on a BUY) over the quantity bought."""
    return sum((f.commission for f in report.fills), Decimal(0)) / report.executed_quantity


async def test_with_keys_paper_asks_the_account_endpoint_and_charges_its_rates(venue: TradingVenue,
                                                                                 logs: Logs) -> None:
    exchange = paper(venue)
    fees = SymbolFees(CONFIGURED.fee_table(), exchange, mode="paper")
    async with exchange:
        asked = sum(venue.desk.answers.values())
        await fees.load(["XRPUSDT", "BTCUSDT"])
        await fees.load(["XRPUSDT", "BTCUSDT"])  # each symbol's answer is kept a day
        assert sum(venue.desk.answers.values()) - asked == 2 and venue.desk.answers[200] >= 2
        free, standard = await buy(exchange, "XRPUSDT", 1.3), await buy(exchange, "BTCUSDT", 60_000.0)
    assert (fees.taker("XRPUSDT"), fees.maker("XRPUSDT")) == (0.0, 0.0)
    assert fees.taker("BTCUSDT") == pytest.approx(0.00075)  # 0.1% with the account's BNB discount
    assert commission_rate(free) == 0  # the simulator charges the account's rates, not the table's 0.2%
    # 0.075%, give or take the commission's rounding up to 8 decimals on a small BTC quantity
    assert commission_rate(standard) == pytest.approx(Decimal("0.00075"), abs=Decimal("2e-5"))
    assert not logs.having("configured")


async def test_a_refused_call_keeps_the_configured_table_in_one_line(venue: TradingVenue, logs: Logs) -> None:
    exchange = paper(venue, secret=WRONG_SECRET)
    fees = SymbolFees(CONFIGURED.fee_table(), exchange, mode="paper")
    async with exchange:
        await fees.load(["XRPUSDT", "BTCUSDT"])
        report = await buy(exchange, "XRPUSDT", 1.3)
    assert fees.taker("XRPUSDT") == fees.taker("BTCUSDT") == 0.002
    assert commission_rate(report) == pytest.approx(Decimal("0.002"), abs=Decimal("1e-6"))
    (line,) = logs.having("using the configured fee table")
    assert line["level"].name == "WARNING"
    assert not [r for r in logs if WRONG_SECRET in r["message"] or DEFAULT_API_KEY in r["message"]]


async def test_without_keys_paper_says_so_once_and_asks_nothing(venue: TradingVenue, logs: Logs) -> None:
    exchange = paper(venue, secret=None)
    fees = SymbolFees(CONFIGURED.fee_table(), exchange, mode="paper")
    async with exchange:
        await fees.load(["XRPUSDT", "BTCUSDT"])
    async with exchange:  # entered again: said once
        pass
    assert fees.taker("XRPUSDT") == 0.002 and sum(venue.desk.answers.values()) == 0
    (line,) = logs.having("no Binance API key")
    assert "fees from the configured table" in line["message"]


def settings_for(tmp_path: Path, rest_url: str, **binance: str) -> Settings:
    settings = Settings.model_validate({
        "logging": {"trade_log_path": str(tmp_path / "trades.csv"), "file_enabled": False,
                    "trade_json_path": str(tmp_path / "trades.jsonl")},
        "model": {"path": str(tmp_path / "none.onnx")}, "state": {"dir": str(tmp_path / "state")},
        "execution": {"taker_fee_rate": 0.0012, "maker_fee_rate": 0.0012}, "binance": binance})
    return paper_settings(settings, rest_url, None)


async def test_the_paper_graph_asks_with_the_keys_of_the_settings(venue: TradingVenue,
                                                                   tmp_path: Path) -> None:
    keyed = build_container(settings_for(tmp_path, venue.rest_url, api_key=DEFAULT_API_KEY,
                                         api_secret=DEFAULT_API_SECRET), "paper").exchange()
    keyless = build_container(settings_for(tmp_path, venue.rest_url), "paper").exchange()
    async with keyed, keyless:
        assert (await keyed.commission("XRPUSDT")).effective_taker == 0.0
        assert (await keyless.commission("XRPUSDT")).effective_taker == 0.0012
