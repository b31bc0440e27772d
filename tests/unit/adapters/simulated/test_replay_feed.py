"""ReplayFeed on recorded BTC/ETH 1m bars: time order, the clock, tickers, watch/unwatch, no look-ahead."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from adapters.clocks import ReplayClock
from adapters.simulated.replay_feed import ReplayFeed
from adapters.simulated.venue.data import load_venue_data, parse_day
from domain.features import KlineArrays
from domain.market_events import CandleUpdated, TickersUpdated
from domain.time_units import DAY_MS
from domain.values import Candle


def _slice(k: KlineArrays, keep: np.ndarray) -> KlineArrays:
    return KlineArrays(k.open_time_ms[keep], k.open[keep], k.high[keep], k.low[keep], k.close[keep],
                       k.volume[keep], k.taker_buy_base_volume[keep], k.quote_volume[keep], k.trades[keep])


@pytest.fixture(scope="module")
def bars(sample_klines: Path) -> dict[str, KlineArrays]:
    """A day and a half of BTC, and ETH with every 7th minute missing (a data set with holes)."""
    data = load_venue_data(sample_klines, symbols=["BTCUSDT", "ETHUSDT"], start_ms=parse_day("2026-04-01"),
                           minutes=720)
    eth = data.bars["ETHUSDT"]
    return {"BTCUSDT": data.bars["BTCUSDT"], "ETHUSDT": _slice(eth, np.arange(len(eth)) % 7 != 3)}


def _ohlcv(c: Candle) -> tuple[float, ...]:
    return (c.open_time_ms, c.open, c.high, c.low, c.close, c.volume)  # NaN columns compare unequal


async def test_minutes_come_in_order_with_the_clock_at_their_close(bars: dict[str, KlineArrays]) -> None:
    clock = ReplayClock()
    feed = ReplayFeed(bars, clock, watch_all=True)
    seen: list[tuple[str, int, int]] = []
    async with feed:
        async for event in feed.events():
            if isinstance(event, CandleUpdated):
                assert event.candle.closed and clock.now_ms() == event.candle.close_time_ms
                seen.append(("candle", event.candle.open_time_ms, clock.now_ms()))
            elif isinstance(event, TickersUpdated):
                assert event.time_ms == clock.now_ms()
                seen.append(("tickers", event.time_ms - 59_999, clock.now_ms()))
    clocks = [now for _, _, now in seen]
    assert clocks == sorted(clocks)
    total = sum(len(k) for k in bars.values())
    assert sum(kind == "candle" for kind, _, _ in seen) == total
    minutes = np.union1d(*(k.open_time_ms for k in bars.values()))
    assert sum(kind == "tickers" for kind, _, _ in seen) == len(minutes)


async def test_each_minute_has_one_ticker_batch_matching_a_24h_window(bars: dict[str, KlineArrays]) -> None:
    feed = ReplayFeed(bars, ReplayClock())
    batches = [e async for e in feed.events() if isinstance(e, TickersUpdated)]
    eth = bars["ETHUSDT"]
    for batch in batches[-3:] + batches[1500:1503]:
        minute = batch.time_ms - 59_999
        symbols = {t.symbol for t in batch.tickers}
        assert symbols == {s for s, k in bars.items() if minute in k.open_time_ms}
        for ticker in batch.tickers:
            if ticker.symbol != "ETHUSDT":
                continue
            window = (eth.open_time_ms > minute - DAY_MS) & (eth.open_time_ms <= minute)
            assert ticker.high == eth.high[window].max() and ticker.low == eth.low[window].min()
            assert ticker.volume == pytest.approx(eth.volume[window].sum(), rel=1e-9)
            assert ticker.open == eth.open[window][0] and ticker.close == eth.close[window][-1]


async def test_watch_and_unwatch_choose_the_candles(bars: dict[str, KlineArrays]) -> None:
    feed = ReplayFeed(bars, ReplayClock())
    await feed.watch(["ethusdt", "NOPEUSDT"])
    symbols: list[str] = []
    async for event in feed.events():
        if isinstance(event, CandleUpdated):
            symbols.append(event.candle.symbol)
            if len(symbols) == 10:
                await feed.unwatch(["ETHUSDT"])
                await feed.watch(["BTCUSDT"])
            if len(symbols) == 20:
                break
    assert symbols[:10] == ["ETHUSDT"] * 10 and symbols[10:] == ["BTCUSDT"] * 10


async def test_recent_candles_never_look_ahead(bars: dict[str, KlineArrays]) -> None:
    clock = ReplayClock()
    feed = ReplayFeed(bars, clock)
    assert await feed.recent_candles("BTCUSDT", 5) == []  # nothing has closed before the first bar
    await feed.watch(["BTCUSDT"])
    checked = 0
    async for event in feed.events():
        first = int(bars["BTCUSDT"].open_time_ms[0])
        if isinstance(event, CandleUpdated) and event.candle.open_time_ms % 3_600_000 == 0 \
                and event.candle.open_time_ms > first:
            recent = await feed.recent_candles("BTCUSDT", 5)
            assert _ohlcv(recent[-1]) == _ohlcv(event.candle)
            assert all(c.close_time_ms <= clock.now_ms() for c in recent)
            expected = [event.candle.open_time_ms - 60_000 * i for i in (4, 3, 2, 1, 0)]
            assert [c.open_time_ms for c in recent] == expected
            checked += 1
    assert checked >= 30


async def test_bars_before_the_start_only_warm_up(bars: dict[str, KlineArrays]) -> None:
    start = parse_day("2026-04-01")
    clock = ReplayClock()
    feed = ReplayFeed(bars, clock, start_ms=start, watch_all=True)
    events = [e async for e in feed.events()]
    first_candle = next(e.candle for e in events if isinstance(e, CandleUpdated))
    assert first_candle.open_time_ms == start
    first_batch = next(e for e in events if isinstance(e, TickersUpdated))
    btc = bars["BTCUSDT"]
    window = (btc.open_time_ms > start - DAY_MS) & (btc.open_time_ms <= start)
    ticker = next(t for t in first_batch.tickers if t.symbol == "BTCUSDT")
    assert ticker.volume == pytest.approx(btc.volume[window].sum(), rel=1e-9)  # a full day behind it


async def test_candle_lists_are_accepted_and_disorder_is_refused(bars: dict[str, KlineArrays]) -> None:
    after_the_end = ReplayFeed(bars, ReplayClock(10**14))
    candles = list(await after_the_end.recent_candles("BTCUSDT", 100))
    assert len(candles) == 100
    again = ReplayFeed({"BTCUSDT": candles}, ReplayClock(), watch_all=True)
    replayed = [e.candle async for e in again.events() if isinstance(e, CandleUpdated)]
    assert [_ohlcv(c) for c in replayed] == [_ohlcv(c) for c in candles]
    with pytest.raises(ValueError, match="increasing"):
        ReplayFeed({"BTCUSDT": candles[::-1]}, ReplayClock())
    with pytest.raises(ValueError, match="increasing"):  # a repeated minute is no increase either
        ReplayFeed({"BTCUSDT": [*candles[:5], candles[4], *candles[5:]]}, ReplayClock())



async def test_a_new_events_call_resumes_where_the_last_stopped(bars: dict[str, KlineArrays]) -> None:
    feed = ReplayFeed(bars, ReplayClock(), watch_all=True)
    first: list[int] = []
    async for event in feed.events():
        if isinstance(event, TickersUpdated):
            first.append(event.time_ms)
            if len(first) == 3:
                break
    rest = [e.time_ms async for e in feed.events() if isinstance(e, TickersUpdated)]
    assert rest[0] == first[-1] + 60_000 and len(first) + len(rest) == len(set(first + rest))
