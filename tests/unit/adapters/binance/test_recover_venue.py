"""Issue 14 over the wire: the real BinanceExchange against the local venue, the state store on disk. A loop
killed between a timeout's OCO cancel and its sale is finished by the next process; equity is the capital
given and a filled leg never counts twice; a latched kill switch holds across restarts until reset, and
so does the day's loss limit."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from pydantic import SecretStr
from tests.support.fakes import (
    FakeFeed,
    FakeModel,
    FakeScanner,
    InMemoryJournal,
    ManualClock,
    history,
)
from tests.support.harness import LIMITS, config
from tests.unit.adapters.binance.conftest import SYMBOL

from adapters.binance.exchange import BinanceExchange
from adapters.simulated.venue.trading import TradingVenue
from adapters.simulated.venue.trading_desk import DEFAULT_API_KEY, DEFAULT_API_SECRET
from adapters.storage.state_store import SqliteStateStore
from application.kill_switch import reset_kill_switch
from application.trading_loop import TradingLoop
from domain.market_events import TradeHappened
from domain.position import CompletedTrade, ExitReason
from domain.risk import RiskBook
from domain.trading_state import IntentState, OrderIntent, OrderPurpose
from domain.values import Side, Trade


def binance(venue: TradingVenue, *, user_data: bool = True) -> BinanceExchange:
    return BinanceExchange(SecretStr(DEFAULT_API_KEY), SecretStr(DEFAULT_API_SECRET), rest_url=venue.rest_url,
                           ws_api_url=venue.ws_api_url, timeout=2.0, user_data=user_data)


def process(venue: TradingVenue, store_path: Path, clock: ManualClock, journal: InMemoryJournal,
            price: float, *, user_data: bool = True) -> TradingLoop:
    """One run of the bot: a fresh exchange session and loop on the same store, journal and clock."""
    exchange = binance(venue, user_data=user_data)
    feed = FakeFeed(clock=clock, candles=lambda symbol, end, limit: history(symbol, end, limit, price=price))
    return TradingLoop(feed=feed, exchange=exchange, model=FakeModel(), clock=clock, journal=journal,
                       scanner=FakeScanner([SYMBOL]), risk=RiskBook(LIMITS), config=config(mode="live"),
                       state=SqliteStateStore(store_path))


async def test_a_timeout_exit_killed_before_its_sale_is_finished_by_the_next_process(
        tmp_path: Path, venue: TradingVenue) -> None:
    price = 1.3
    venue.desk.pin_market(SYMBOL, Decimal("1.3"))  # a deep book around 1.3: fills where the bot looks
    start = venue.desk.now_ms()  # trading time on the venue's clock: entry times are the venue's
    clock, journal, path = ManualClock(start), InMemoryJournal(), tmp_path / "state" / "live-x.sqlite"
    first = process(venue, path, clock, journal, price)
    await first.start()
    clock.advance_to(start + 100)
    await first.step(TradeHappened(Trade(SYMBOL, price, 1.0, start + 100, buyer_is_maker=False)))
    position = first.positions.positions[SYMBOL]
    assert position.oco_list_id >= 0
    # The timeout's first half, then the kill: the OCO is cancelled on the venue and the position written
    # without it; the sale never leaves. (stop() only closes the sessions: it writes no position.)
    async with binance(venue) as raw:
        await raw.cancel_order_list(SYMBOL, position.oco_list_id)
    store = SqliteStateStore(path)
    store.save_position(replace(position, oco_list_id=-1))
    store.record_intent(OrderIntent("csx-XRPUSDT-1", SYMBOL, Side.SELL, OrderPurpose.EXIT,
                                    Decimal(repr(position.quantity)), None, clock.now_ms()))
    await first.stop()

    clock.advance_to(start + 400_000)  # the position's time is up
    second = process(venue, path, clock, journal, price)
    await second.start()
    try:
        assert [t.exit_reason for t in journal.records] == [ExitReason.TIMEOUT]
        assert second.positions.positions == {} and store.positions() == []
        assert store.intent("csx-XRPUSDT-1").state is IntentState.NOT_SENT  # type: ignore[union-attr]
        async with binance(venue) as raw:
            xrp = (await raw.balances()).get("XRP")
            assert xrp is None or xrp.total < Decimal(1)  # sold: at most the lot step's dust is left
            assert await raw.open_orders(SYMBOL) == []
    finally:
        await second.stop()


async def test_on_the_venue_equity_is_the_capital_given_and_a_filled_leg_never_counts_twice(
        tmp_path: Path, venue: TradingVenue) -> None:
    venue.desk.pin_market(SYMBOL, Decimal("1.3"))
    start = venue.desk.now_ms()
    clock, journal = ManualClock(start), InMemoryJournal()
    # No user-data stream: the bot learns of the leg's fill only when it polls (as while a stream is down).
    loop = process(venue, tmp_path / "live.sqlite", clock, journal, 1.3, user_data=False)
    await loop.start()
    try:
        assert await loop.equity() == 100.0  # 100 USDT given on a 1000 USDT account
        await loop.step(TradeHappened(Trade(SYMBOL, 1.3, 1.0, start + 100, buyer_is_maker=False)))
        position = loop.positions.positions[SYMBOL]
        assert 19 < position.cost_usdt <= 20  # sized from 100, not 1000
        venue.desk.print_trade(SYMBOL, Decimal(repr(position.take_profit_price)) + Decimal("0.0001"))
        await loop.account.refresh()  # the proceeds are in the balance, the position is still held
        assert SYMBOL in loop.positions.positions
        unrealised = position.quantity * 1.3 - position.cost_usdt - position.entry_fee_usdt
        assert abs(await loop.equity() - (100.0 + unrealised)) < 0.001  # (+ the lot step's dust); not +20
    finally:
        await loop.stop()


async def test_on_the_venue_a_latched_kill_switch_holds_across_restarts_until_reset(
        tmp_path: Path, venue: TradingVenue) -> None:
    venue.desk.pin_market(SYMBOL, Decimal("1.3"))
    start = venue.desk.now_ms()
    clock, journal, path = ManualClock(start), InMemoryJournal(), tmp_path / "live.sqlite"
    trade = TradeHappened(Trade(SYMBOL, 1.3, 1.0, start + 100, buyer_is_maker=False))
    first = process(venue, path, clock, journal, 1.3)
    await first.start()
    assert first.risk.update_equity(50.0, start)  # the switch fires (the loop closed everything then)
    await first.stop()

    second = process(venue, path, clock, journal, 1.3)
    await second.start()
    await second.step(trade)
    await second.stop()
    assert "reset-kill-switch" in (second.stopped_reason or "")
    async with binance(venue) as raw:
        assert (await raw.balances())["USDT"].free == Decimal(1000)  # not one order
    assert reset_kill_switch(SqliteStateStore(path), RiskBook(LIMITS)).startswith("kill switch reset")

    third = process(venue, path, clock, journal, 1.3)
    await third.start()
    try:
        await third.step(trade)
        assert SYMBOL in third.positions.positions and not third.stopped
    finally:
        await third.stop()


async def test_on_the_venue_the_days_loss_limit_holds_across_a_restart(tmp_path: Path,
                                                                       venue: TradingVenue) -> None:
    venue.desk.pin_market(SYMBOL, Decimal("1.3"))
    start = venue.desk.now_ms()
    clock, journal, path = ManualClock(start), InMemoryJournal(), tmp_path / "live.sqlite"
    first = process(venue, path, clock, journal, 1.3)
    await first.start()
    first.account.record(CompletedTrade(SYMBOL, 1.3, 1.17, 90.0, start, start + 50, 0.0, ExitReason.SL))
    await first.stop()  # -11.7 USDT today: the limit is 10% of 100

    second = process(venue, path, clock, journal, 1.3)
    await second.start()
    try:
        await second.step(TradeHappened(Trade(SYMBOL, 1.3, 1.0, start + 100, buyer_is_maker=False)))
        assert second.positions.positions == {} and not second.could_enter(start + 100, 88.3)
        async with binance(venue) as raw:
            assert (await raw.balances())["USDT"].free == Decimal(1000)  # not one order
    finally:
        await second.stop()
