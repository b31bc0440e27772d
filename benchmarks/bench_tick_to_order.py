"""Tick-to-order latency inside the bot: from a market frame received by the feed to the order's first
bytes written to the socket, against the local venue with 200 pairs streaming.

The venue runs in a child process of its own session (as a real exchange would be another machine, it
does not share the bot's scheduler group): 200 pairs of recorded 1m klines (the 13 pairs of the 2023
shared-data file, each replayed under 15-16 names), every pair's kline_1m, depth20@100ms and aggTrade
streamed plus !miniTicker@arr. The bot side runs here: BinanceMarketFeed (aiohttp) -> a stand-in
decision (the feature/model path has its own benchmarks) -> BinanceExchange.place_order (rules,
idempotency memory, rate limiter, signing, aiohttp). Every `--every`-th market event triggers a MARKET buy
of 10 USDT on its symbol, one order at a time (the loop awaits its orders); the start-up heap is frozen as
the bot's feed runner does (application.feed_runner.settle_heap).

Stages (time.perf_counter_ns, see tick_to_order_probes.py): the feed starts handling the frame's text ->
the event is handed to the bot -> the rate limiter lets the request go -> the signed request is handed to
the HTTP library (the adapter's `on_send` hook) -> its first bytes are written to the socket. The
reference, interleaved with the adapter's orders so that both meet the same load: the same signed
POST /api/v3/order built inline and sent by a bare aiohttp session on the same loop. Each figure is
printed with the machine's load average.

With --console, the run alternates phases without and with the operator's console at work (see
benchmarks/console_load.py: dashboard stream, /metrics scrapes, a notification per order, the timing
wrappers around feed and exchange) and prints the on/off ratios of the same run.

Usage: .venv/bin/python benchmarks/bench_tick_to_order.py [--orders 500] [--every 25] [--pairs 200]
       [--console [--phases 4]]
Target: p99 <= 5 ms; with the console, p50 and p99 ratios on/off near 1.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from pydantic import SecretStr  # noqa: E402
from tick_to_order_probes import (  # noqa: E402  (beside this script)
    BareOrders,
    Measured,
    Probes,
    Stages,
    gc_setting,
    load,
    percentile,
    probing,
    report,
    summary,
)
from tick_to_order_venue import serve_venue  # noqa: E402  (beside this script)

from adapters.binance.exchange import BinanceExchange  # noqa: E402
from adapters.binance.market_feed import BinanceMarketFeed  # noqa: E402
from adapters.clocks import SystemClock  # noqa: E402
from adapters.simulated.venue.trading_desk import DEFAULT_API_KEY, DEFAULT_API_SECRET  # noqa: E402
from application.feed_runner import settle_heap  # noqa: E402
from domain.market_events import (  # noqa: E402
    BookTopUpdated,
    BookUpdated,
    CandleUpdated,
    MarketEvent,
    TickersUpdated,
    TradeHappened,
)
from domain.orders import OrderRequest, OrderType  # noqa: E402
from domain.values import Side  # noqa: E402

TARGET_MS = 5.0
NOTICE_EVERY = 1  # with --console: one notification per this many orders (0: none); --notice-every


# -- the bot side -------------------------------------------------------------------------------------------
def symbol_of(event: MarketEvent) -> str | None:
    """The pair a market event is about (the first one of a tickers array)."""
    match event:
        case TickersUpdated(tickers=tickers):
            return tickers[0].symbol if tickers else None
        case CandleUpdated(candle=candle):
            return candle.symbol
        case BookUpdated(book=book):
            return book.symbol
        case BookTopUpdated(top=top):
            return top.symbol
        case TradeHappened(trade=trade):
            return trade.symbol
    return None


async def measure(rest_url: str, ws_url: str, symbols: list[str], orders: int, every: int,
                  warmup_s: float, console: bool = False) -> Measured:
    """The stamps of each order and of the bare reference orders between them; the market events seen
    while measuring; the seconds measured. `console`: with the operator's console at work."""
    if not console:
        return await _measure(rest_url, ws_url, symbols, orders, every, warmup_s, None)
    from console_load import console_running  # beside this script

    from adapters.console.metrics import ConsoleMetrics

    metrics = ConsoleMetrics()
    async with console_running(metrics) as service:
        return await _measure(rest_url, ws_url, symbols, orders, every, warmup_s, (metrics, service))


async def _measure(rest_url: str, ws_url: str, symbols: list[str], orders: int, every: int, warmup_s: float,
                   console: tuple[Any, Any] | None) -> Measured:
    clock = SystemClock()
    probes = Probes()

    def on_send(method: str, path: str) -> None:  # the signed request handed to the HTTP library
        if path == "/api/v3/order":
            probes.handed_ns = time.perf_counter_ns()

    exchange = BinanceExchange(SecretStr(DEFAULT_API_KEY), SecretStr(DEFAULT_API_SECRET), rest_url=rest_url,
                               ws_api_url=f"{ws_url}/ws-api/v3", clock=clock, on_send=on_send, timeout=5.0)
    acquire = exchange.limiter.acquire

    async def acquire_stamped(weight: int, orders: int = 0) -> None:
        await acquire(weight, orders)
        probes.acquired_ns = time.perf_counter_ns()

    exchange.limiter.acquire = acquire_stamped  # type: ignore[method-assign]
    feed = raw_feed = BinanceMarketFeed(ws_url, rest_url, symbols, clock)
    router = raw_feed._router  # no public hook: time when the feed starts handling each frame
    handle_text = router.handle_text

    def timed(text: str):  # type: ignore[no-untyped-def]
        probes.frame_ns = time.perf_counter_ns()
        return handle_text(text)

    router.handle_text = timed  # type: ignore[method-assign]
    if console is not None:  # the wrappers the console puts around the loop's feed and exchange
        from adapters.console.instruments import TimedExchange, TimedFeed
        feed = TimedFeed(raw_feed)  # type: ignore[assignment]
        exchange = TimedExchange(exchange, console[0], feed)  # type: ignore[arg-type,assignment]
    measured = Measured()
    seen = 0
    with probing(probes):
        async with exchange, feed, BareOrders(rest_url, clock) as bare:
            await feed.watch(symbols)
            settle_heap()  # as the bot does once started
            measuring_since = time.monotonic() + warmup_s
            cpu_since = 0.0
            async for event in feed.events():
                if time.monotonic() < measuring_since:
                    continue
                cpu_since = cpu_since or time.process_time()
                seen += 1
                if seen % every:
                    continue
                symbol = symbol_of(event)
                if symbol is None:
                    continue
                frame, handed = probes.frame_ns, time.perf_counter_ns()
                probes.acquired_ns = probes.handed_ns = probes.wire_ns = 0
                n = len(measured.adapter) + len(measured.bare)
                if n % 2:  # the reference, interleaved so that both meet the same load
                    await bare.buy(symbol, f"bare-{n}-{seen}")
                    measured.bare.append(Stages(frame, handed, handed, handed, probes.wire_ns,
                                                probes.collections_within(handed, probes.wire_ns)))
                    continue
                request = OrderRequest(symbol, Side.BUY, OrderType.MARKET, f"bench-{n}-{seen}",
                                       quote_quantity=Decimal(10))
                await exchange.place_order(request)
                if console is not None and NOTICE_EVERY and len(measured.adapter) % NOTICE_EVERY == 0:
                    console[1].notifier.notify(f"Trade {symbol}", "10 USDT bought")  # as each_trade would
                gcs = probes.collections_within(handed, probes.wire_ns)
                measured.adapter.append(Stages(frame, handed, probes.acquired_ns, probes.handed_ns,
                                               probes.wire_ns, gcs))
                if len(measured.adapter) >= orders:
                    break
            measured.events, measured.seconds = seen, time.monotonic() - measuring_since
            measured.cpu_seconds = time.process_time() - cpu_since
    return measured


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=500)
    parser.add_argument("--every", type=int, default=25, help="one order per this many market events")
    parser.add_argument("--pairs", type=int, default=200)
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of streaming before measuring")
    parser.add_argument("--console", action="store_true",
                        help="alternate phases without and with the operator's console; print on/off ratios")
    parser.add_argument("--phases", type=int, default=4, help="with --console: phases in all (off, on, ...)")
    parser.add_argument("--notice-every", type=int, default=1,
                        help="with --console: one notification per this many orders (0: none)")
    parser.add_argument("--serve-venue", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_venue:
        serve_venue(args.pairs)
        return 0
    # Its own session, so its own scheduler group (autogroup): the exchange is not on the bot's CPU share.
    child = subprocess.Popen([sys.executable, __file__, "--serve-venue", "--pairs", str(args.pairs)],
                             stdout=subprocess.PIPE, text=True, start_new_session=True)
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        if not line.startswith("VENUE "):
            print(f"the venue did not start: {line!r}", file=sys.stderr)
            return 1
        _, rest_url, ws_url, *symbols = line.split()
        if args.console:
            global NOTICE_EVERY
            NOTICE_EVERY = args.notice_every
            return compare_console(rest_url, ws_url, symbols, args)
        measured = asyncio.run(measure(rest_url, ws_url, symbols, args.orders, args.every, args.warmup))
    finally:
        child.terminate()
        child.wait(10)
    events, seconds = measured.events, measured.seconds
    print(f"tick-to-order, {len(symbols)} pairs streaming ({len(symbols) * 3 + 1} streams): {events} "
          f"market events in {seconds:.1f} s ({events / max(seconds, 1e-9):.0f}/s) on {os.cpu_count()} CPUs; "
          f"{gc_setting()}; the bot used {measured.cpu_seconds / max(seconds, 1e-9):.2f} CPU; peak RSS "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    report(measured, TARGET_MS)
    return 0


def compare_console(rest_url: str, ws_url: str, symbols: list[str], args: argparse.Namespace) -> int:
    """Alternate phases off / on in one run (the machine's load drifts: interleaving shares it)."""
    runs: dict[bool, list[float]] = {False: [], True: []}
    peak_rss_mb = {False: 0.0, True: 0.0}
    for phase in range(max(2, args.phases)):
        on = phase % 2 == 1
        measured = asyncio.run(measure(rest_url, ws_url, symbols, args.orders, args.every, args.warmup,
                                       console=on))
        runs[on].extend(stages.total_ms for stages in measured.adapter)
        peak_rss_mb[on] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"  phase {phase + 1} console {'ON ' if on else 'off'}: {len(measured.adapter)} orders, "
              f"{measured.events} events in {measured.seconds:.1f} s; {load()}", flush=True)
    off, on_ = sorted(runs[False]), sorted(runs[True])
    print(f"tick-to-order, {len(symbols)} pairs streaming, {os.cpu_count()} CPUs")
    print(f"  console off ({len(off)} orders)  {summary(off)}")
    print(f"  console ON  ({len(on_)} orders)  {summary(on_)}")
    print(f"  ratio on/off: p50 x{statistics.median(on_) / statistics.median(off):.2f}  "
          f"p99 x{percentile(on_, 0.99) / percentile(off, 0.99):.2f}; peak RSS {peak_rss_mb[True]:.0f} MB "
          f"(after the first off phase: {peak_rss_mb[False]:.0f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
