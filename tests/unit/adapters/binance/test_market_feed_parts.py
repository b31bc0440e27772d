"""The socket-free parts of BinanceMarketFeed: frame routing on a real capture, kline de-duplication and
gap finding, stream names, back-off and the control-message budget."""

from __future__ import annotations

import json
import lzma
import random
from itertools import pairwise
from pathlib import Path

import pytest
from tests.support.clocks import ManualClock

from adapters.binance.backoff import Backoff, MessagePacer
from adapters.binance.candle_gaps import KlineTracker
from adapters.binance.feed_stats import FeedCounters, ThrottledWarnings
from adapters.binance.frame_router import FrameRouter, Signal
from adapters.binance.recent_bars import RecentBars
from adapters.binance.stream_names import StreamKind, batches, route_of
from domain.market_events import BookTopUpdated, CandleUpdated, StreamStale, TickersUpdated, TradeHappened
from domain.values import Candle


def _router(clock: ManualClock, universe: frozenset[str] | None = None) -> tuple[FrameRouter, FeedCounters]:
    counters = FeedCounters()
    router = FrameRouter(clock, universe=universe, stale_after_ms=1000, counters=counters, bars=RecentBars(),
                         warnings=ThrottledWarnings(clock))
    return router, counters


def _capture(recorded: Path) -> list[str]:
    with lzma.open(recorded / "cryptofeed_raw" / "BINANCE.ws.1.0.txt.xz", "rt") as lines:
        return [line.split(": ", 1)[1] for line in lines if ": " in line and not line.startswith("wss://")]


def _candle(open_time: int, *, closed: bool = False, volume: float = 1.0, trades: int = 1) -> Candle:
    return Candle("BTCUSDT", open_time, 10.0, 11.0, 9.0, 10.5, volume, trades=trades, closed=closed)


def test_router_turns_a_real_capture_into_events_for_watched_symbols(recorded: Path) -> None:
    clock = ManualClock(1_000_000)
    router, counters = _router(clock)
    router.watch("NKNUSDT")
    for text in _capture(recorded):
        assert router.handle_text(text) is None
    kinds = {type(e) for e in router.pending}
    assert {CandleUpdated, TradeHappened, BookTopUpdated} <= kinds
    assert {e.top.symbol for e in router.pending if isinstance(e, BookTopUpdated)} == {"NKNUSDT"}
    assert counters.malformed["unknown stream"] > 0  # diff depth is not a stream this feed uses
    assert counters.events == len(router.pending)


def test_router_drops_repeats_and_bad_frames_without_raising() -> None:
    clock = ManualClock(1_000_000)
    router, counters = _router(clock, universe=frozenset({"BTCUSDT"}))
    router.watch("BTCUSDT")
    top = json.dumps({"stream": "btcusdt@bookTicker",
                      "data": {"u": 7, "s": "BTCUSDT", "b": "1.0", "B": "1", "a": "1.1", "A": "1"}})
    tickers = json.dumps({"stream": "!miniTicker@arr", "data": [
        {"e": "24hrMiniTicker", "E": 5, "s": s, "c": "1", "o": "1", "h": "1", "l": "1", "v": "1", "q": "1"}
        for s in ("BTCUSDT", "ETHUSDT")]})
    for text in (top, top, tickers, tickers, "{nope", "[]", '{"stream": "x@y", "data": {}}',
                 '{"stream": "btcusdt@aggTrade", "data": {"e": "aggTrade"}}', '{"result": null, "id": 3}',
                 '{"error": {"code": 2, "msg": "Invalid request"}, "id": 4}'):
        router.handle_text(text)
    assert [type(e) for e in router.pending] == [BookTopUpdated, TickersUpdated]
    ticker_event = router.pending[1]
    assert isinstance(ticker_event, TickersUpdated)
    assert [t.symbol for t in ticker_event.tickers] == ["BTCUSDT"]  # outside the universe: filtered
    assert counters.duplicates == 2
    assert counters.malformed == {"bad JSON": 1, "not a JSON object": 1, "unknown stream": 1,
                                  "corrupt values": 1}
    assert counters.control_errors == 1


def test_router_signals_server_shutdown_and_holds_a_kline_after_a_gap() -> None:
    clock = ManualClock(1_000_000)
    router, _ = _router(clock)
    assert router.handle_text('{"stream": "!serverShutdown", "data": {"e": "serverShutdown", "E": 1}}') \
        is Signal.SERVER_SHUTDOWN
    router.watch("BTCUSDT")
    router.emit_candle(_candle(0, closed=True))
    late = _candle(180_000)
    text = json.dumps({"stream": "btcusdt@kline_1m", "data": {"e": "kline", "E": 1, "s": "BTCUSDT", "k": {
        "t": late.open_time_ms, "T": late.close_time_ms, "s": "BTCUSDT", "i": "1m", "f": 1, "L": 2, "o": "10",
        "c": "10.5", "h": "11", "l": "9", "v": "1", "n": 1, "x": False, "q": "10", "V": "0.5", "Q": "5",
        "B": "0"}}})
    gap = router.handle_text(text)
    assert gap is not None and not isinstance(gap, Signal)
    assert (gap.first_open_ms, gap.last_open_ms, gap.bars) == (60_000, 120_000, 2)
    held = router.take_held()
    assert held is not None and (held.open_time_ms, held.closed) == (late.open_time_ms, False)
    assert router.take_held() is None


def test_router_marks_a_quiet_watched_symbol_stale_once() -> None:
    clock = ManualClock(1_000_000)
    router, counters = _router(clock)
    router.watch("BTCUSDT")
    clock.now += 999
    router.check_stale()
    assert not router.pending
    clock.now += 1
    router.check_stale()
    router.check_stale()
    stale = list(router.pending)
    assert stale == [StreamStale("BTCUSDT", 1000, clock.now)] and counters.stale_marks == 1
    assert router.is_stale("BTCUSDT")
    router.restart_silence_clocks()
    router.handle_text(json.dumps({"stream": "btcusdt@bookTicker", "data": {
        "u": 1, "s": "BTCUSDT", "b": "1.0", "B": "1", "a": "1.1", "A": "1"}}))
    assert not router.is_stale("BTCUSDT")


def test_tracker_admits_growing_updates_and_each_closed_bar_once() -> None:
    tracker = KlineTracker()
    assert tracker.admit(_candle(0, volume=1.0))
    assert not tracker.admit(_candle(0, volume=1.0))  # duplicate
    assert tracker.admit(_candle(0, volume=2.0, trades=2))
    assert not tracker.admit(_candle(0, volume=1.5, trades=1))  # late, older
    assert tracker.admit(_candle(0, closed=True, volume=3.0))
    assert not tracker.admit(_candle(0, closed=True, volume=3.0))
    assert not tracker.admit(_candle(0, volume=4.0))  # an update after the bar closed
    assert tracker.admit(_candle(60_000))
    assert tracker.last_closed_open_ms("BTCUSDT") == 0


def test_tracker_finds_missed_bars_once() -> None:
    tracker = KlineTracker()
    assert tracker.gap_before(_candle(600_000)) is None  # nothing known yet: no gap to fill
    tracker.admit(_candle(0, closed=True))
    assert tracker.gap_before(_candle(60_000)) is None
    gap = tracker.missed_until("BTCUSDT", server_time_ms=250_000)  # bars 60k, 120k, 180k closed by then
    assert gap is not None and (gap.first_open_ms, gap.last_open_ms, gap.bars) == (60_000, 180_000, 3)
    tracker.mark_checked(gap)
    assert tracker.missed_until("BTCUSDT", server_time_ms=250_000) is None
    tracker.forget("BTCUSDT")
    assert tracker.missed_until("BTCUSDT", server_time_ms=10**9) is None


def test_route_of_stream_names() -> None:
    assert route_of("btcusdt@kline_1m") == route_of("btcusdt@kline_1m")
    assert route_of("btcusdt@depth20@100ms").kind is StreamKind.PARTIAL_DEPTH  # type: ignore[union-attr]
    assert route_of("ethusdt@aggTrade").symbol == "ETHUSDT"  # type: ignore[union-attr]
    assert route_of("!miniTicker@arr").kind is StreamKind.MINI_TICKER_ARRAY  # type: ignore[union-attr]
    for unknown in ("btcusdt@depth@100ms", "btcusdt", "@trade", "btcusdt@avgPrice"):
        assert route_of(unknown) is None
    assert list(batches(["a", "b", "c"], 2)) == [["a", "b"], ["c"]]


def test_backoff_grows_with_full_jitter_and_resets() -> None:
    backoff = Backoff(base_sec=1.0, cap_sec=8.0, floor_sec=0.0, rng=random.Random(1))
    ceilings = [1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    delays = [backoff.next_delay() for _ in ceilings]
    assert all(0 <= d <= c for d, c in zip(delays, ceilings, strict=True))
    assert len(set(delays)) == len(delays)  # jittered
    backoff.reset()
    assert backoff.next_delay() <= 1.0
    with pytest.raises(ValueError):
        Backoff(base_sec=0)


async def test_pacer_never_lets_more_than_four_messages_into_one_second() -> None:
    clock = ManualClock(1_000_000)
    pacer = MessagePacer(clock, per_window=4)
    sent = []
    for _ in range(13):
        await pacer.acquire()
        sent.append(clock.now)
        clock.now += 7  # a little work between messages
    assert all(later - earlier >= 1000 for earlier, later in zip(sent, sent[4:], strict=False))
    assert all(later - earlier >= 250 for earlier, later in pairwise(sent))  # spread out
    assert sent[-1] - sent[0] < 3100  # and it does not wait longer than it must
