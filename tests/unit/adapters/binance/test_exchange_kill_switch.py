"""The trading loop's kill switch through BinanceExchange against the local venue: with a position under
its OCO and another open order, it leaves no open order and no sellable base balance, then stops."""

from __future__ import annotations

import functools
from decimal import Decimal
from pathlib import Path

from pydantic import SecretStr
from tests.support.fakes import FakeFeed, FakeModel, FakeScanner, InMemoryJournal

from adapters.binance.exchange import BinanceExchange
from adapters.simulated.venue.data import VenueData, load_venue_data
from adapters.simulated.venue.trading import serve_trading_venue
from adapters.simulated.venue.trading_desk import DEFAULT_API_KEY, DEFAULT_API_SECRET, TradingConfig
from application.trading_config import LoopConfig
from application.trading_loop import TradingLoop
from domain.orders import OcoRequest, OrderRequest, OrderType, TimeInForce
from domain.position import ExitPolicy, ExitReason, Position
from domain.risk import RiskBook, RiskLimits
from domain.signal import SignalThresholds
from domain.values import Side
from ports.clock import Clock

START_MS = 1_775_001_600_000  # 2026-04-01 00:00 UTC, in the committed sample (data/sample)
SYMBOL = "XRPUSDT"
POLICY = ExitPolicy(take_profit_pct=0.003, stop_loss_pct=0.004, timeout_sec=300)


@functools.cache
def venue_data(sample_klines: Path) -> VenueData:
    return load_venue_data(
        sample_klines, symbols=(SYMBOL,), start_ms=START_MS, minutes=60, warmup_ms=3_600_000
    )


def loop_on(
    exchange: BinanceExchange, clock: Clock, journal: InMemoryJournal, kills: list[str]
) -> TradingLoop:
    # The risk book manages 2000 USDT and once saw its equity at 4000: 2000 now is a 50% drawdown (equity is
    # the capital given plus the unrealised result, never the venue's balance: issue 14).
    limits = RiskLimits(
        initial_capital=2000.0,
        max_position_pct=0.2,
        min_position_usdt=5.0,
        max_loss_per_trade_pct=0.02,
        max_daily_loss_pct=0.10,
        max_drawdown_pct=0.25,
        max_open_positions=1,
        max_trades_per_hour=20,
        max_trades_per_day=100,
    )
    thresholds = SignalThresholds(
        min_probability=0.65,
        min_confidence=0.55,
        min_predicted_move_percent=0.2,
        stop_loss_pct=0.004,
        take_profit_pct=0.003,
        max_position_pct=0.2,
    )
    config = LoopConfig(thresholds=thresholds, exit_policy=POLICY, mode="live", symbols=(SYMBOL,))
    risk = RiskBook(limits)
    risk.update_equity(4000.0, 0)
    return TradingLoop(
        feed=FakeFeed(),
        exchange=exchange,
        model=FakeModel(),
        clock=clock,
        journal=journal,
        scanner=FakeScanner(),
        risk=risk,
        config=config,
        on_kill_switch=kills.append,
    )


async def test_kill_switch_cancels_orders_sells_positions_and_stops(sample_klines: Path) -> None:
    config = TradingConfig(deposits={"USDT": Decimal(1000)})
    async with serve_trading_venue(venue_data(sample_klines), config=config) as venue:
        exchange = BinanceExchange(
            SecretStr(DEFAULT_API_KEY),
            SecretStr(DEFAULT_API_SECRET),
            rest_url=venue.rest_url,
            ws_api_url=venue.ws_api_url,
            timeout=2.0,
        )
        journal, kills = InMemoryJournal(), []
        clock = venue.desk.state.clock  # the venue's (replayed) time is the market's time
        loop = loop_on(exchange, clock, journal, kills)
        await loop.start()
        try:
            rules = (await exchange.symbol_rules())[SYMBOL]
            entry = await exchange.place_order(
                OrderRequest(SYMBOL, Side.BUY, OrderType.MARKET, "k-entry", quote_quantity=Decimal(30))
            )
            held, price = exchange.protective_quantity(entry), entry.average_price
            oco = await exchange.place_oco(
                OcoRequest(SYMBOL, held, price * Decimal("1.01"), price * Decimal("0.99"), None, "k-oco")
            )
            loop.positions.add(
                Position(
                    SYMBOL,
                    float(price),
                    float(held),
                    entry.time_ms,
                    float(price * Decimal("0.99")),
                    float(price * Decimal("1.01")),
                    float(entry.cumulative_quote) * 0.001,
                    POLICY,
                    oco_list_id=oco.order_list_id,
                    entry_order_id=entry.order_id,
                )
            )
            bid = rules.round_price(price * Decimal("0.8"), direction="down")
            await exchange.place_order(
                OrderRequest(
                    SYMBOL,
                    Side.BUY,
                    OrderType.LIMIT,
                    "k-stray",
                    rules.round_qty(Decimal(10) / bid),
                    price=bid,
                    time_in_force=TimeInForce.GTC,
                )
            )
            assert len(await exchange.open_orders()) == 3

            await loop.on_tick(clock.now_ms())

            assert kills and loop.stopped and (loop.stopped_reason or "").startswith("kill switch")
            assert await exchange.open_orders() == []
            xrp = (await exchange.balances()).get("XRP")
            leftover = xrp.total if xrp else Decimal(0)
            assert leftover < rules.min_qty, f"{leftover} XRP still sellable"
            assert [t.exit_reason for t in journal.records] == [ExitReason.KILL_SWITCH]
            assert venue.desk.engine.open_orders() == []
        finally:
            await loop.stop()
