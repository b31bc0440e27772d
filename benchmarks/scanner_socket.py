"""Detection latency through the real socket: a frame as BinanceMarketFeed receives it -> alert raised.

A WebSocket server in a child process (127.0.0.1, aiohttp) sends the benchmark's `!miniTicker@arr`
frames at 10 a second; this process runs what the bot runs on them: BinanceMarketFeed (aiohttp
client, FrameRouter), then the TradingLoop's ingest of a ticker event (MarketMemory.apply, then
ScanMarket.on_event -> MultiPairScanner with the compiled kernel, whose alert goes through
ScanMarket's callback). The clock starts when aiohttp hands the frame to the feed
(`FrameRouter.handle_text` is entered) and stops in the alert callback. The process sleeps in the
event loop between frames, as the bot does.

Used by bench_scanner.py (`--socket-seconds`). Run alone, it can add the depth20@100ms streams of watched
candidates between the ticker frames, as the bot receives them:

    .venv/bin/python benchmarks/scanner_socket.py [SECONDS [WATCHED DEPTH_FRAMES_PER_TICKER_FRAME]]
    .venv/bin/python benchmarks/scanner_socket.py 30 10 100   # 10 candidates' books at 10x their rate
"""

from __future__ import annotations

import asyncio
import gc
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from loguru import logger

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from adapters.binance.market_feed import BinanceMarketFeed  # noqa: E402
from adapters.clocks import SystemClock  # noqa: E402
from adapters.kernels.scanner_numba import NumbaTickerKernel  # noqa: E402
from adapters.universe import FixedUniverse  # noqa: E402
from application.market_memory import MarketMemory  # noqa: E402
from application.scan_market import ScanMarket  # noqa: E402
from domain.market_events import TickersUpdated  # noqa: E402
from domain.scanner_rules import ScannerAlert, ScannerRules  # noqa: E402

PACE_HZ = 10


def depth_frames(symbols: list[str], count: int) -> list[str]:
    """`<symbol>@depth20@100ms` frames cycling over `symbols`, 20 levels a side, rising update ids."""
    out = []
    for k in range(count):
        symbol = symbols[k % len(symbols)]
        mid = 100.0 + (k % 7) * 0.01
        bids = [[f"{mid - 0.01 * (i + 1):.8f}", f"{1 + i * 0.1:.8f}"] for i in range(20)]
        asks = [[f"{mid + 0.01 * (i + 1):.8f}", f"{1 + i * 0.1:.8f}"] for i in range(20)]
        data = {"lastUpdateId": 1000 + k, "bids": bids, "asks": asks}
        out.append(json.dumps({"stream": f"{symbol.lower()}@depth20@100ms", "data": data},
                              separators=(",", ":")))
    return out


async def serve(pairs: int, frames: int, port: int, watched: int, details_per_frame: int) -> None:
    """Child process: send the ticker frames at PACE_HZ to the first client, then close it. Between two
    ticker frames, `details_per_frame` depth frames of the first `watched` pairs, evenly spaced."""
    from aiohttp import web
    from bench_scanner import make_frames

    symbols, payloads = make_frames(pairs, frames, extra=0)
    texts = [p.decode() for p in payloads]
    details = depth_frames(symbols[:watched], frames * details_per_frame) if watched else []
    done = asyncio.Event()

    async def stream(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        step = 1 / PACE_HZ / (details_per_frame + 1)
        next_at = time.perf_counter()
        for i, text in enumerate(texts):
            for detail in details[i * details_per_frame:(i + 1) * details_per_frame]:
                next_at += step
                await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
                await ws.send_str(detail)
            next_at += step
            await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
            await ws.send_str(text)
        await ws.close()
        done.set()
        return ws

    app = web.Application()
    app.router.add_get("/stream", stream)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    print("ready", flush=True)
    await done.wait()
    await runner.cleanup()


async def measure(symbols: list[str], port: int, expected: int, watched: int) -> dict[str, Any]:
    logger.remove()
    logger.add(sys.stderr, level="INFO")  # the bot's default level: alerts are DEBUG lines, not written
    clock = SystemClock()
    detect_us: list[float] = []
    received: list[int] = [0]
    alerted: list[bool] = [False]

    def on_alert(_: ScannerAlert) -> None:
        if not alerted[0]:
            alerted[0] = True
            detect_us.append((time.perf_counter_ns() - received[0]) / 1000)

    scan = ScanMarket(ScannerRules(), FixedUniverse(symbols), clock, on_alert=on_alert,
                      kernel=NumbaTickerKernel())  # as the container wires it
    await scan.refresh_universe(force=True)
    memory = MarketMemory()
    feed = BinanceMarketFeed(f"ws://127.0.0.1:{port}", f"http://127.0.0.1:{port}", symbols, clock,
                             detail_streams=(), silent_connection_sec=60, poll_sec=5)
    router = feed._router  # instrumentation: the moment the feed gets the frame from aiohttp
    handle = router.handle_text

    def timed_handle(frame: str | bytes) -> Any:
        if frame[:40].find("!miniTicker@arr" if isinstance(frame, str) else b"!miniTicker@arr") >= 0:
            received[0] = time.perf_counter_ns()
            alerted[0] = False
        return handle(frame)

    router.handle_text = timed_handle  # type: ignore[method-assign]
    frames = 0
    cpu0, wall0 = time.process_time(), time.perf_counter()
    gc.disable()  # as in the in-process runs: the bot's rare GC pauses are not what is measured
    async with feed:
        await feed.watch(symbols[:watched])  # the candidates' depth streams, as the loop's watchlist does
        async for event in feed.events():
            scan.on_event(event)  # as TradingLoop.ingest orders a ticker frame: the scanner, then memory
            memory.apply(event)
            if isinstance(event, TickersUpdated):
                frames += 1
                if frames == expected:
                    break
    gc.enable()
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    detect = np.array(detect_us)
    return {"frames": frames, "detect_frames": detect.size, "cpu_pct": 100 * cpu / wall,
            "detect_p50_us": float(np.percentile(detect, 50)) if detect.size else float("nan"),
            "detect_p99_us": float(np.percentile(detect, 99)) if detect.size else float("nan")}


def run_over_socket(pairs: int, seconds: float, *, watched: int = 0, details_per_frame: int = 0,
                    port: int = 18765) -> dict[str, Any]:
    """Start the server child, measure against it, return the figures. `watched` candidates get their
    depth20@100ms stream, `details_per_frame` of its frames between two ticker frames (10 watched pairs
    at Binance's real depth rate: 10 a frame at 1x, 100 at 10x)."""
    from bench_scanner import make_frames

    frames = int(seconds * PACE_HZ)
    symbols, _ = make_frames(pairs, 1, extra=0)
    server = [str(n) for n in (pairs, frames, port, watched, details_per_frame)]
    child = subprocess.Popen([sys.executable, __file__, "--serve", *server], stdout=subprocess.PIPE,
                             text=True, cwd=ROOT)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        return asyncio.run(measure(symbols, port, frames, watched))
    finally:
        child.wait(timeout=30)


def _main(argv: list[str]) -> None:
    """`[seconds [watched details_per_frame]]`, or the server's arguments after `--serve`."""
    sys.path.insert(0, str(Path(__file__).parent))
    if argv[:1] == ["--serve"]:
        asyncio.run(serve(*(int(a) for a in argv[1:6])))
        return
    watched, details = (int(argv[1]), int(argv[2])) if len(argv) >= 3 else (0, 0)
    print(run_over_socket(200, float(argv[0]) if argv else 60.0, watched=watched, details_per_frame=details))


if __name__ == "__main__":
    _main(sys.argv[1:])
