"""Market memory: the ring of closed candles, the partial candle, book, trades, and their freshness."""

from __future__ import annotations

import math

import numpy as np
import pytest
from tests.support.fakes import T0, history, trade_at

from application.candle_ring import CandleRing
from application.market_memory import MarketMemory, price_seen
from domain.candle_columns import CandleColumns
from domain.features import WARMUP_BARS, KlineArrays, compute_features, latest_features
from domain.market_events import (
    BookTopUpdated,
    BookUpdated,
    CandleUpdated,
    FeedReconnected,
    StreamStale,
    TickersUpdated,
)
from domain.values import BookTop, Candle, CorruptMarketData, OrderBook, Ticker

S = "ABCUSDT"


def test_ring_keeps_the_last_candles_in_order_after_wrapping() -> None:
    candles = history(S, T0, 25)
    ring = CandleRing(10)
    assert all(ring.append(c) for c in candles)
    arrays = ring.arrays()
    expected = KlineArrays.from_candles(candles[-10:])
    assert len(ring) == 10
    np.testing.assert_array_equal(arrays.open_time_ms, expected.open_time_ms)
    for name in ("open", "high", "low", "close", "volume", "taker_buy_base_volume"):
        np.testing.assert_array_equal(getattr(arrays, name), getattr(expected, name))
    assert ring.last_close() == candles[-1].close


def test_ring_replaces_a_repeated_minute_ignores_an_older_one_and_reports_a_hole() -> None:
    a, b, c, d = history(S, T0, 4)
    ring = CandleRing(5)
    ring.append(a)
    ring.append(b)
    revised = Candle(S, b.open_time_ms, b.open, b.high + 1, b.low, b.close, b.volume + 5)
    assert ring.append(revised)
    assert ring.append(a)  # late duplicate: already known
    assert len(ring) == 2 and ring.arrays().high[-1] == b.high + 1
    assert not ring.append(d)  # c is missing
    assert not ring.is_contiguous()
    ring.merge([c])
    assert ring.is_contiguous() and list(ring.arrays().open_time_ms) == [x.open_time_ms for x in (a, b, c, d)]


def test_memory_marks_a_hole_for_backfill_and_a_backfill_makes_it_ready() -> None:
    memory = MarketMemory(capacity=50)
    candles = history(S, T0, 50)
    memory.backfill(S, candles[:40])
    assert memory.is_ready(S, 40) and not memory.is_ready(S, 41)
    memory.apply(CandleUpdated(candles[45]))  # minutes 40..44 never arrived
    assert memory.needs_backfill(S) and not memory.is_ready(S, 40)
    memory.backfill(S, candles)
    assert memory.is_ready(S, 50)
    np.testing.assert_array_equal(memory.klines(S).close, [c.close for c in candles])


def test_live_features_from_memory_equal_the_batch_features_of_the_same_history() -> None:
    candles = history(S, T0, WARMUP_BARS + 30)
    memory = MarketMemory()
    memory.backfill(S, candles[:WARMUP_BARS])
    for candle in candles[WARMUP_BARS:]:
        memory.apply(CandleUpdated(candle))
    live = latest_features(memory.klines(S))
    batch = compute_features(KlineArrays.from_candles(candles))[-1]
    np.testing.assert_allclose(live, batch, rtol=1e-9, equal_nan=True)
    assert np.isfinite(live).sum() >= 30


def test_partial_candle_book_trades_and_prices() -> None:
    memory = MarketMemory(capacity=10)
    closed, current = history(S, T0 + 120_000, 2)
    partial = Candle(S, current.open_time_ms, current.open, current.high, current.low, current.close, 1.0,
                     closed=False)
    memory.apply(TickersUpdated((Ticker(S, T0, 2.0, 1.9, 2.1, 1.8, 10, 20),), T0))
    assert memory.current_price(S) == 2.0  # only the ticker is known
    memory.apply(BookTopUpdated(BookTop(S, 0.99, 1, 1.01, 1)))
    assert memory.current_price(S) == pytest.approx(1.0)  # the book mid beats a ticker
    memory.apply(CandleUpdated(closed))
    memory.apply(CandleUpdated(partial))
    assert memory.partial_candle(S) == partial and memory.bar_count(S) == 1
    assert memory.current_price(S) == partial.close
    for k in range(5):
        memory.apply(trade_at(S, 1.0 + k / 100, T0 + k))
    assert [t.price for t in memory.recent_trades(S, 2)] == [1.03, 1.04]
    assert memory.current_price(S) == 1.04
    book = OrderBook(S, ((0.98, 3.0),), ((1.02, 4.0),), time_ms=T0)
    memory.apply(BookUpdated(book))
    assert memory.orderbook(S) == book and memory.book_top(S) == book.top
    memory.apply(CandleUpdated(Candle(S, current.open_time_ms, 1, 1.1, 0.9, 1.05, 2.0)))
    assert memory.partial_candle(S) is None and memory.bar_count(S) == 2
    assert memory.ticker_close(S) == 2.0


def test_stale_stream_and_reconnection_make_a_symbol_not_ready_until_fresh() -> None:
    memory = MarketMemory(capacity=5)
    candles = history(S, T0, 6)
    memory.backfill(S, candles[:5])
    memory.apply(StreamStale(S, silent_ms=40_000, time_ms=T0))
    assert not memory.is_ready(S, 5)
    memory.apply(CandleUpdated(candles[5]))
    assert memory.is_ready(S, 5)
    memory.apply(FeedReconnected(T0, missed_ms=0))
    assert memory.is_ready(S, 5)
    memory.apply(FeedReconnected(T0, missed_ms=90_000))
    assert memory.needs_backfill(S)


def test_corrupt_values_and_unknown_events_are_refused() -> None:
    memory = MarketMemory()
    bad = history(S, T0, 1)[0]
    object.__setattr__(bad, "close", math.nan)  # what a buggy parser could let through
    with pytest.raises(CorruptMarketData):
        memory.apply(CandleUpdated(bad))
    with pytest.raises(CorruptMarketData):
        memory.apply({"e": "kline"})  # type: ignore[arg-type]
    assert memory.bar_count(S) == 0


def test_price_seen_is_what_a_long_could_sell_at() -> None:
    candle = history(S, T0, 1)[0]
    assert price_seen(CandleUpdated(candle)) == (S, candle.low, candle.high, candle.close)
    assert price_seen(BookTopUpdated(BookTop(S, 0.99, 1, 1.01, 1))) == (S, 0.99, 0.99, 0.99)
    assert price_seen(trade_at(S, 1.5, T0)) == (S, 1.5, 1.5, 1.5)
    assert price_seen(FeedReconnected(T0, 0)) is None


def test_price_moves_name_every_symbol_whose_current_price_may_have_changed() -> None:
    memory = MarketMemory(capacity=10)
    assert memory.take_price_moves() is None  # nothing known yet: any may have moved
    memory.apply(CandleUpdated(history(S, T0, 1)[0]))
    memory.apply(BookTopUpdated(BookTop("XYZUSDT", 1.0, 1.0, 1.1, 1.0, T0)))
    assert memory.take_price_moves() == {S, "XYZUSDT"}
    assert memory.take_price_moves() == set()
    memory.forget(S)  # its price falls back to the ticker close
    assert memory.take_price_moves() == {S}
    memory.apply(TickersUpdated((Ticker(S, T0, 2.0, 1.9, 2.1, 1.8, 10, 20),), T0))
    assert memory.take_price_moves() is None


def test_a_history_as_columns_merges_like_the_same_candles_one_by_one() -> None:
    candles = history(S, T0, 25)
    columns = CandleColumns(S, KlineArrays.from_candles(candles))
    as_list, as_columns = CandleRing(10), CandleRing(10)
    as_list.merge(candles)
    as_columns.merge(columns)
    a, b = as_list.arrays(), as_columns.arrays()
    for name in ("open_time_ms", "open", "high", "low", "close", "volume", "quote_volume", "trades"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert [c.open_time_ms for c in columns[-3:]] == [c.open_time_ms for c in candles[-3:]]
    assert columns[-1].close == candles[-1].close and len(columns) == 25



def test_a_history_held_as_columns_answers_like_a_copied_one_and_is_copied_when_the_ring_moves() -> None:
    candles = history(S, T0, 25)
    holed = candles[:20] + candles[21:]  # the hole among the last 10 the ring keeps
    for source, contiguous in ((candles, True), (holed, False), (candles[-1:], True)):
        as_list, held = CandleRing(10), CandleRing(10)
        as_list.merge(source)
        held.merge(CandleColumns(S, KlineArrays.from_candles(source)))
        assert (len(held), held.last_close()) == (len(as_list), as_list.last_close())
        assert held.is_contiguous() == as_list.is_contiguous() == contiguous
    following = history(S, T0, 26)[-1]
    as_list, held = CandleRing(10), CandleRing(10)
    as_list.merge(candles)
    held.merge(CandleColumns(S, KlineArrays.from_candles(candles)))
    assert held.append(following) and as_list.append(following)
    a, b = as_list.arrays(), held.arrays()
    for name in ("open_time_ms", "open", "close", "trades"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))


def test_a_history_covering_a_filled_ring_is_held_and_reads_like_the_long_merge() -> None:
    candles = history(S, T0, 40)
    for old, new in ((candles[:12] + candles[30:31], candles[15:31]),  # a candidate back: bar, then history
                     (candles[:5], candles[20:40]),  # all the old ones older than the window
                     (candles[35:], candles[20:34]),  # one newer than the history: the long way
                     (candles[:3], candles[21:29])):  # shorter than the ring: the long way
        as_list, as_columns = CandleRing(10), CandleRing(10)
        for ring in (as_list, as_columns):
            ring.merge(old)
        as_list.merge(new)
        as_columns.merge(CandleColumns(S, KlineArrays.from_candles(new)))
        a, b = as_list.arrays(), as_columns.arrays()
        for name in ("open_time_ms", "open", "close", "volume", "trades"):
            np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
        assert as_list.is_contiguous() == as_columns.is_contiguous()
