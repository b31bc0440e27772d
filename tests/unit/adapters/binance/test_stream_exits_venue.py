"""Exits from the user-data stream over the wire (issue 14, item 4): the real BinanceExchange and the live
loop against the local venue, with a poll interval of 60 s. An OCO leg's fill is journaled within a
fraction of a second of the venue executing it, and while the stream is up no open position is polled
(no GET /api/v3/orderList, no GET /api/v3/order)."""

from __future__ import annotations

import asyncio
import time
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import SecretStr
from tests.support.fakes import FakeFeed, FakeModel, FakeScanner, InMemoryJournal, ManualClock, history
from tests.support.harness import LIMITS, config
from tests.unit.adapters.binance.conftest import SYMBOL

from adapters.binance.exchange import BinanceExchange
from adapters.simulated.venue.trading import TradingVenue
from adapters.simulated.venue.trading_desk import DEFAULT_API_KEY, DEFAULT_API_SECRET
from adapters.storage.state_store import SqliteStateStore
from application.trading_loop import TradingLoop
from domain.market_events import TradeHappened
from domain.position import CompletedTrade, ExitReason
from domain.risk import RiskBook
from domain.values import Trade

POLL_INTERVAL_MS = 60_000
ORDER_QUERIES = {("GET", "/api/v3/orderList"), ("GET", "/api/v3/order")}




class SignallingJournal(InMemoryJournal):
    def __init__(self) -> None:
        super().__init__()
        self.recorded = asyncio.Event()

    def record(self, trade: CompletedTrade) -> None:
        super().record(trade)
        self.recorded.set()


def live_loop(venue: TradingVenue, tmp_path: Path, clock: ManualClock, journal: InMemoryJournal,
              sent: list[tuple[str, str]]) -> TradingLoop:
    exchange = BinanceExchange(SecretStr(DEFAULT_API_KEY), SecretStr(DEFAULT_API_SECRET),
                               rest_url=venue.rest_url, ws_api_url=venue.ws_api_url, timeout=2.0,
                               on_send=lambda method, path: sent.append((method, path)))
    feed = FakeFeed(clock=clock, candles=lambda symbol, end, limit: history(symbol, end, limit, price=1.3))
    return TradingLoop(feed=feed, exchange=exchange, model=FakeModel(), clock=clock, journal=journal,
                       scanner=FakeScanner([SYMBOL]), risk=RiskBook(LIMITS),
                       config=config(mode="live", order_poll_interval_ms=POLL_INTERVAL_MS),
                       state=SqliteStateStore(tmp_path / "live.sqlite"))


def trade(time_ms: int) -> TradeHappened:
    return TradeHappened(Trade(SYMBOL, 1.3, 1.0, time_ms, buyer_is_maker=False))


@pytest.mark.parametrize("leg", [ExitReason.TP, ExitReason.SL])
async def test_an_oco_fill_is_journaled_from_the_stream_well_within_the_poll_interval(
        tmp_path: Path, venue: TradingVenue, leg: ExitReason) -> None:
    venue.desk.pin_market(SYMBOL, Decimal("1.3"))
    start = venue.desk.now_ms()
    clock, journal, sent = ManualClock(start), SignallingJournal(), list[tuple[str, str]]()
    loop = live_loop(venue, tmp_path, clock, journal, sent)
    await loop.start()
    try:
        await loop.step(trade(start + 100))
        position = loop.positions.positions[SYMBOL]
        loop._scanner.top = []  # type: ignore[attr-defined]  # one round trip: no new entry after it
        for second in range(1, 6):  # market events and ticks: none of them polls the OCO
            clock.advance_to(start + 100 + second * 1_000)
            await loop.step(trade(clock.now_ms()))
        await loop._lanes.drain()
        assert not loop.positions.watch.polling and not [s for s in sent if s in ORDER_QUERIES]

        through = Decimal(repr(position.take_profit_price)) + Decimal("0.0001") if leg is ExitReason.TP \
            else Decimal(repr(position.stop_loss_price)) * Decimal("0.9995")
        filled_at = time.monotonic()
        venue.desk.print_trade(SYMBOL, through)  # the venue fills the leg; the loop gets no market event
        await asyncio.wait_for(journal.recorded.wait(), timeout=5)
        handled_s = time.monotonic() - filled_at
        print(f"{leg.value} fill journaled {handled_s * 1000:.0f} ms after the venue executed it "
              f"(poll interval {POLL_INTERVAL_MS} ms)")
        assert handled_s < POLL_INTERVAL_MS / 1000 / 10
        assert [t.exit_reason for t in journal.records] == [leg] and loop.positions.positions == {}
        assert not [s for s in sent if s in ORDER_QUERIES], "the leg's fills came from the stream"
    finally:
        await loop.stop()
    assert len(SqliteStateStore(tmp_path / "live.sqlite").trades()) == 1


async def test_after_a_dropped_stream_positions_are_polled_until_a_reconcile(
        tmp_path: Path, venue: TradingVenue) -> None:
    venue.desk.pin_market(SYMBOL, Decimal("1.3"))
    start = venue.desk.now_ms()
    clock, journal, sent = ManualClock(start), InMemoryJournal(), list[tuple[str, str]]()
    loop = live_loop(venue, tmp_path, clock, journal, sent)
    await loop.start()
    try:
        await loop.step(trade(start + 100))
        loop._scanner.top = []  # type: ignore[attr-defined]
        restarted, ask_reconcile = asyncio.Event(), loop.follow._on_restart

        def on_restart() -> None:
            ask_reconcile()
            restarted.set()

        loop.follow._on_restart = on_restart
        assert venue.desk.faults.drop_user_streams() == 1
        await asyncio.wait_for(restarted.wait(), timeout=5)  # down, then back: polled meanwhile
        assert loop.positions.watch.polling
        clock.advance_to(start + 100 + POLL_INTERVAL_MS)
        await loop.step(trade(clock.now_ms()))  # polls (down) and reconciles (the restart asked for it)
        await loop._lanes.drain()
        assert ("GET", "/api/v3/orderList") in sent and not loop.positions.watch.polling
    finally:
        await loop.stop()
