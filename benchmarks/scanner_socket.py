"""Detection latency through the real socket: a frame as BinanceMarketFeed receives it -> alert raised.

A WebSocket server in a child process (127.0.0.1, aiohttp) sends the benchmark's `!miniTicker@arr`
frames at 10 a second; this process runs what the bot runs on them: BinanceMarketFeed (aiohttp
client, FrameRouter), then the TradingLoop's ingest of a ticker event (MarketMemory.apply, then
ScanMarket.on_event -> MultiPairScanner, whose alert goes through ScanMarket's callback). The clock
starts when aiohttp hands the frame to the feed (`FrameRouter.handle_text` is entered) and stops in
the alert callback. The process sleeps in the event loop between frames, as the bot does.

Used by bench_scanner.py (`--socket-seconds`); run alone: .venv/bin/python benchmarks/scanner_socket.py
"""

from __future__ import annotations

import asyncio
import gc
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from loguru import logger

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from adapters.binance.market_feed import BinanceMarketFeed  # noqa: E402
from adapters.clocks import SystemClock  # noqa: E402
from application.market_memory import MarketMemory  # noqa: E402
from application.scan_market import ScanMarket  # noqa: E402
from domain.market_events import TickersUpdated  # noqa: E402
from domain.scanner_rules import ScannerAlert, ScannerRules  # noqa: E402

PACE_HZ = 10


async def serve(pairs: int, frames: int, port: int) -> None:
    """Child process: send the frames at PACE_HZ to the first client, then close it."""
    from aiohttp import web
    from bench_scanner import make_frames

    _, payloads = make_frames(pairs, frames, extra=0)
    texts = [p.decode() for p in payloads]
    done = asyncio.Event()

    async def stream(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        next_at = time.perf_counter()
        for text in texts:
            next_at += 1 / PACE_HZ
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


class _FixedUniverse:
    def __init__(self, symbols: list[str]) -> None:
        self._symbols = symbols

    async def tradable_symbols(self) -> list[str]:
        return self._symbols


async def measure(symbols: list[str], port: int, expected: int) -> dict[str, Any]:
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

    scan = ScanMarket(ScannerRules(), _FixedUniverse(symbols), clock, on_alert=on_alert)
    await scan.refresh_universe(force=True)
    memory = MarketMemory()
    feed = BinanceMarketFeed(f"ws://127.0.0.1:{port}", f"http://127.0.0.1:{port}", symbols, clock,
                             detail_streams=(), silent_connection_sec=60, poll_sec=5)
    router = feed._router  # instrumentation: the moment the feed gets the frame from aiohttp
    handle = router.handle_text

    def timed_handle(frame: str | bytes) -> Any:
        received[0] = time.perf_counter_ns()
        alerted[0] = False
        return handle(frame)

    router.handle_text = timed_handle  # type: ignore[method-assign]
    frames = 0
    cpu0, wall0 = time.process_time(), time.perf_counter()
    gc.disable()  # as in the in-process runs: the bot's rare GC pauses are not what is measured
    async with feed:
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


def run_over_socket(pairs: int, seconds: float, port: int = 18765) -> dict[str, Any]:
    """Start the server child, measure against it, return the figures."""
    from bench_scanner import make_frames

    frames = int(seconds * PACE_HZ)
    symbols, _ = make_frames(pairs, 1, extra=0)
    child = subprocess.Popen([sys.executable, __file__, "--serve", str(pairs), str(frames), str(port)],
                             stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        return asyncio.run(measure(symbols, port, frames))
    finally:
        child.wait(timeout=30)


def _main(argv: list[str], report: Callable[[dict[str, Any]], None] = print) -> None:
    sys.path.insert(0, str(Path(__file__).parent))
    if argv[:1] == ["--serve"]:
        asyncio.run(serve(int(argv[1]), int(argv[2]), int(argv[3])))
        return
    report(run_over_socket(200, float(argv[0]) if argv else 60.0))


if __name__ == "__main__":
    _main(sys.argv[1:])
