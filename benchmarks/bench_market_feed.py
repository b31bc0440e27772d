"""Market-data hot paths on recorded klines (BTC/ETH, June 2025):

1. BinanceMarketFeed's frame handling (FrameRouter, the code run for every WebSocket frame): a
   `!miniTicker@arr` frame of 200 pairs, and the detail frames of a watched pair (kline_1m,
   depth20@100ms, aggTrade), as the venue sends them. Target: a 200-pair ticker frame under 2 ms
   (Binance sends one a second: 0.2% of a core; the spec's detection budget is 100 ms), detail frames
   in the tens of microseconds. Most of a ticker frame is json.loads and the domain Ticker checks.
2. ReplayFeed: events a second over a month of 2 pairs (the backtest/paper replay), clock included.
3. The local venue end to end: BinanceMarketFeed -> venue on 127.0.0.1 at 3600x, frames a second.

    .venv/bin/python benchmarks/bench_market_feed.py
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from adapters.binance.feed_stats import FeedCounters, ThrottledWarnings  # noqa: E402
from adapters.binance.frame_router import FrameRouter  # noqa: E402
from adapters.binance.market_feed import BinanceMarketFeed  # noqa: E402
from adapters.binance.recent_bars import RecentBars  # noqa: E402
from adapters.clocks import ReplayClock, SystemClock  # noqa: E402
from adapters.simulated.replay_feed import ReplayFeed  # noqa: E402
from adapters.simulated.venue import payloads  # noqa: E402
from adapters.simulated.venue.app import create_venue_app, serve_venue  # noqa: E402
from adapters.simulated.venue.data import load_venue_data, parse_day  # noqa: E402
from adapters.simulated.venue.sim_clock import VenueClock  # noqa: E402
from adapters.simulated.venue.state import VenueConfig, VenueState  # noqa: E402

DATA = (ROOT.parent / "shared" / "data" / "freqtrade_userdata"
        / "binance_spot_1m_2025-06-01_2025-07-01_BTC_ETH.csv.xz")


def frames_of(state: VenueState, now: int) -> tuple[str, list[str]]:
    """A 200-pair `!miniTicker@arr` frame and 300 detail frames of BTCUSDT, from the recorded bars."""
    tape = state.tapes["BTCUSDT"]
    window = tape.window(now)
    assert window is not None
    items = [dict(payloads.mini_ticker("BTCUSDT", window, now), s=f"P{i:03d}USDT") for i in range(200)]
    tickers = json.dumps({"stream": "!miniTicker@arr", "data": items})
    details = []
    for k in range(100):
        t = now + k * 1000
        bar = tape.bar_at(t)
        book = state.book("BTCUSDT", 20, t)
        assert bar is not None and book is not None
        details.append(json.dumps({"stream": "btcusdt@kline_1m", "data": payloads.kline("BTCUSDT", bar, t)}))
        details.append(json.dumps({"stream": "btcusdt@depth20@100ms", "data": book.as_json()}))
        details.append(json.dumps({"stream": "btcusdt@aggTrade",
                                   "data": payloads.trade("BTCUSDT", bar, t, t, 0.01, aggregate=True)}))
    return tickers, details


def bench_router(state: VenueState, now: int) -> None:
    tickers, details = frames_of(state, now)
    universe = frozenset(f"P{i:03d}USDT" for i in range(200))
    rounds = 2000
    clock = SystemClock()
    router = FrameRouter(clock, universe=universe, stale_after_ms=30_000, counters=FeedCounters(),
                         bars=RecentBars(), warnings=ThrottledWarnings(clock))
    texts = [tickers.replace(f'"E": {now}', f'"E": {now + i + 1}') for i in range(rounds)]  # no repeats
    started = time.perf_counter()
    for text in texts:
        router.handle_text(text)
        router.pending.clear()
    per_frame = (time.perf_counter() - started) / rounds
    print(f"!miniTicker@arr, 200 pairs: {per_frame * 1e6:8.1f} us a frame "
          f"({per_frame / 200 * 1e6:.2f} us a pair)")
    router.watch("BTCUSDT")
    started = time.perf_counter()
    for text in details:
        router.handle_text(text)
    per_detail = (time.perf_counter() - started) / len(details)
    print(f"kline/depth20/aggTrade:     {per_detail * 1e6:8.1f} us a frame ({len(router.pending)} events)")


async def bench_replay(state: VenueState) -> None:
    clock = ReplayClock()
    feed = ReplayFeed(state.data.bars, clock, watch_all=True)
    started = time.perf_counter()
    events = 0
    async for _ in feed.events():
        events += 1
    elapsed = time.perf_counter() - started
    bars = sum(len(k) for k in state.data.bars.values())
    print(f"ReplayFeed: {events:,} events ({bars:,} bars, 2 pairs) in {elapsed:.2f} s = "
          f"{events / elapsed:,.0f} events/s, {bars / elapsed:,.0f} bars/s")


async def bench_venue(data_path: Path) -> None:
    data = load_venue_data(data_path, start_ms=parse_day("2025-06-05"), minutes=24 * 60)
    app = create_venue_app(data, speed=3600, config=VenueConfig(tick_sec=0.01))
    async with serve_venue(app) as venue:
        feed = BinanceMarketFeed(venue.ws_url, venue.rest_url, list(data.symbols), SystemClock(),
                                 poll_sec=0.05)
        async with feed:
            await feed.watch(list(data.symbols))
            started = time.perf_counter()
            events = 0
            async for _ in feed.events():
                events += 1
                if time.perf_counter() - started > 3:
                    break
            elapsed = time.perf_counter() - started
            stats = feed.stats()
    print(f"venue -> feed at 3600x: {stats.frames / elapsed:,.0f} frames/s, "
          f"{events / elapsed:,.0f} events/s, {stats.malformed_total} malformed, "
          f"{stats.reconnects} reconnects")


def main() -> None:
    print(f"loading {DATA.name} ...", flush=True)
    data = load_venue_data(DATA)
    start = data.default_start_ms()
    state = VenueState(data, VenueClock(start), VenueConfig())
    bench_router(state, start)
    asyncio.run(bench_replay(state))
    asyncio.run(bench_venue(DATA))


if __name__ == "__main__":
    main()
