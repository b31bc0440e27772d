"""Exits from the exchange's order events (issue 14, item 4): an OCO leg that fills is journaled at once,
without a poll; polling comes back only while the stream is down, and stops again once a REST reconcile
follows a restart; lost, repeated, reordered events and an event racing a poll still give one round trip."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

from tests.support.fakes import T0, trade_at
from tests.support.harness import SYMBOL, Harness, build, config, feed
from tests.support.streaming_exchange import StreamingFakeExchange

from adapters.storage.state_store import SqliteStateStore
from domain.market_events import BookTopUpdated
from domain.order_events import OrderChanged, OrderListChanged
from domain.position import ExitReason
from domain.values import BookTop

TP_PRICE = "1.0031"  # above the take-profit leg (entry 1.0, take_profit_pct 0.3%)
SL_PRICE = "0.9950"  # through the stop-loss leg (stop_loss_pct 0.4%)


def streaming(h: Harness) -> StreamingFakeExchange:
    assert isinstance(h.exchange, StreamingFakeExchange)
    return h.exchange


async def settled(h: Harness) -> None:
    """Let the event task and the lanes it started run to the end (no market event, no tick)."""
    for _ in range(20):
        await asyncio.sleep(0)
    await h.loop._lanes.drain()


async def tick(h: Harness, price: float, time_ms: int) -> None:
    """One market event, and what the loop's lanes then do."""
    await feed(h, trade_at(SYMBOL, price, time_ms))
    await settled(h)


async def opened(tmp_path: Path | None = None) -> Harness:
    state = None if tmp_path is None else SqliteStateStore(tmp_path / "paper.sqlite")
    h = build(streaming=True, loop_config=config(mode="paper"), state=state)
    await h.loop.start()
    await tick(h, 1.0, T0 + 100)
    assert SYMBOL in h.loop.positions.positions
    h.scanner.top = []  # one position only: no new entry after its exit
    await settled(h)
    assert not h.loop.positions.watch.polling, "the stream is trusted once start-up's reconcile is done"
    return h


async def test_a_take_profit_fill_is_journaled_at_once_without_any_poll() -> None:
    h = await opened()
    ex = streaming(h)
    for second in range(2, 12, 2):  # ticks well past the 1 s poll interval: nothing asks for the OCO
        await tick(h, 1.0, T0 + second * 1_000)
    assert ex.rest_queries() == 0
    ex.set_price(SYMBOL, TP_PRICE)  # the leg fills on the exchange; no market event reaches the loop
    await settled(h)
    assert [t.exit_reason for t in h.journal.records] == [ExitReason.TP]
    assert h.loop.positions.positions == {} and ex.rest_queries() == 0
    await h.loop.stop()


async def test_stream_down_polls_resume_and_a_restart_stops_them_after_a_reconcile() -> None:
    h = await opened()
    ex = streaming(h)
    ex.down()
    await settled(h)
    assert h.loop.positions.watch.polling
    await tick(h, 1.0, T0 + 5_000)
    assert ex.calls.count("get_order_list") == 1  # polled while down

    ex.restarted()
    await settled(h)
    assert h.loop.positions.watch.polling, "events may have been lost: polled until a REST reconcile"
    reconciles = ex.calls.count("open_orders")
    await tick(h, 1.0, T0 + 7_000)  # this tick reconciles (the restart asked for it)
    assert ex.calls.count("open_orders") == reconciles + 1 and not h.loop.positions.watch.polling
    polled = ex.calls.count("get_order_list")
    for second in range(9, 20, 2):
        await tick(h, 1.0, T0 + second * 1_000)
    assert ex.calls.count("get_order_list") == polled
    await h.loop.stop()


async def test_a_fill_whose_events_were_lost_while_down_is_found_by_the_poll() -> None:
    h = await opened()
    ex = streaming(h)
    ex.hold()
    ex.down()
    ex.set_price(SYMBOL, SL_PRICE)  # the stop fills; its events are lost with the socket
    ex.release()
    await settled(h)
    await tick(h, 0.995, T0 + 5_000)
    assert [t.exit_reason for t in h.journal.records] == [ExitReason.SL]
    await h.loop.stop()


async def test_repeated_and_reordered_events_close_the_position_once(tmp_path: Path) -> None:
    h = await opened(tmp_path)
    ex = streaming(h)
    ex.hold()
    ex.set_price(SYMBOL, TP_PRICE)
    held = ex.release()
    assert {type(e) for e in held} == {OrderChanged, OrderListChanged}
    ex.push(*reversed(held), *held, *reversed(held))  # the list's end first, then every leg, three times
    await settled(h)
    await tick(h, 1.0031, T0 + 5_000)
    assert [t.exit_reason for t in h.journal.records] == [ExitReason.TP]
    state = SqliteStateStore(tmp_path / "paper.sqlite")
    assert [t.exit_reason for t in state.trades()] == [ExitReason.TP] and state.positions() == []
    await h.loop.stop()


async def test_an_event_racing_a_poll_gives_one_round_trip(tmp_path: Path) -> None:
    h = await opened(tmp_path)
    ex = streaming(h)
    ex.hold()
    ex.set_price(SYMBOL, SL_PRICE)  # the stop fills; its events are late
    ex.down()  # meanwhile the socket drops: the next tick polls and finds the fill
    await settled(h)
    await tick(h, 0.995, T0 + 5_000)
    assert [t.exit_reason for t in h.journal.records] == [ExitReason.SL]
    ex.push(*ex.release())  # the late events arrive after the poll closed the position
    ex.restarted()
    await settled(h)
    await tick(h, 0.995, T0 + 7_000)
    assert len(h.journal.records) == 1
    assert len(SqliteStateStore(tmp_path / "paper.sqlite").trades()) == 1
    await h.loop.stop()


async def test_a_lost_trade_event_makes_the_exit_ask_rest_once() -> None:
    h = await opened()
    ex = streaming(h)
    ex.hold()
    ex.set_price(SYMBOL, TP_PRICE)
    held = ex.release()
    ex.push(*[e for e in held if not (isinstance(e, OrderChanged) and e.report.fills)])  # no trade seen
    await settled(h)
    assert [t.exit_reason for t in h.journal.records] == [ExitReason.TP]
    assert ex.calls.count("get_order_list") == 1  # the fills (fees) come from REST
    await h.loop.stop()


async def test_an_exchange_without_events_polls_as_before() -> None:
    h = build(loop_config=config(mode="paper"))
    await h.loop.start()
    await tick(h, 1.0, T0 + 100)
    assert h.loop.positions.watch.polling
    await tick(h, 1.0, T0 + 2_000)
    assert h.exchange.calls.count("get_order_list") == 1
    await h.loop.stop()


async def test_a_fill_arriving_while_the_lane_is_busy_is_handled_as_soon_as_it_is_free() -> None:
    h = await opened()
    ex = streaming(h)
    gate = asyncio.Event()
    await h.loop._lanes.run(SYMBOL, gate.wait)  # the position's lane is busy (a slow answer)
    ex.set_price(SYMBOL, TP_PRICE)
    for _ in range(20):
        await asyncio.sleep(0)
    assert h.journal.records == []  # the lane's work comes first
    gate.set()
    await settled(h)  # no market event, no tick: the exit waited its turn and ran
    assert [t.exit_reason for t in h.journal.records] == [ExitReason.TP] and ex.rest_queries() == 0
    await h.loop.stop()


async def test_an_event_lost_on_a_live_socket_is_found_once_the_market_stayed_through_the_leg() -> None:
    h = await opened()
    ex = streaming(h)
    ex.hold()
    ex.set_price(SYMBOL, SL_PRICE)  # the stop fills; its events never come (the socket stays up)
    ex.release()
    await tick(h, 0.995, T0 + 5_000)  # the market is through the stop: the event should come now
    assert h.journal.records == [] and ex.rest_queries() == 0
    await tick(h, 0.995, T0 + 6_000)  # a whole poll interval later, still nothing: ask once
    assert [t.exit_reason for t in h.journal.records] == [ExitReason.SL]
    assert ex.calls.count("get_order_list") == 1 and not h.loop.positions.watch.polling
    await h.loop.stop()


async def resting_maker_entry() -> Harness:
    """Paper with maker entries: a LIMIT_MAKER buy at the bid, resting (the market stays above it)."""
    base = config(mode="paper")
    execution = replace(base.execution, maker_entries=True, maker_entry_timeout_ms=120_000)
    h = build(streaming=True, loop_config=replace(base, execution=execution))
    await h.loop.start()
    await feed(h, BookTopUpdated(BookTop(SYMBOL, 0.999, 1_000.0, 1.001, 1_000.0, T0 + 50)))
    await tick(h, 1.0, T0 + 100)
    return h


async def test_a_resting_maker_entry_is_asked_about_only_when_the_stream_says_it_changed() -> None:
    h = await resting_maker_entry()
    ex = streaming(h)
    assert SYMBOL in h.loop.entries.pending and not h.loop.positions.watch.polling
    queried = ex.calls.count("get_order")
    for second in range(2, 20, 2):  # nine ticks while it rests: at most the NEW event's one query
        await tick(h, 1.0, T0 + second * 1_000)
    assert ex.calls.count("get_order") <= queried + 1
    assert SYMBOL in h.loop.entries.pending
    before = ex.calls.count("get_order")
    ex.set_price(SYMBOL, "0.998")  # trades through the bid: the buy fills and the stream says so
    await settled(h)
    await tick(h, 0.998, T0 + 21_000)
    assert ex.calls.count("get_order") == before + 1 and SYMBOL in h.loop.positions.positions
    await h.loop.stop()


async def test_while_the_stream_is_down_a_resting_maker_entry_is_asked_about_every_tick() -> None:
    h = await resting_maker_entry()
    ex = streaming(h)
    ex.down()
    await settled(h)
    before = ex.calls.count("get_order")
    for second in range(2, 8, 2):
        await tick(h, 1.0, T0 + second * 1_000)
    assert ex.calls.count("get_order") >= before + 3
    await h.loop.stop()
