"""The live path of bench_scanner.py, measured: frame bytes -> FrameRouter -> MultiPairScanner -> alert.

Several paths (the numpy reference scanner, the fused kernel) can run on the same frames in one run,
taking turns, so their ratio is fair on a busy machine.
"""

from __future__ import annotations

import gc
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from adapters.binance.feed_stats import FeedCounters, ThrottledWarnings
from adapters.binance.frame_router import FrameRouter
from adapters.binance.recent_bars import RecentBars
from adapters.clocks import SystemClock
from domain.market_events import TickersUpdated
from domain.scanner import MultiPairScanner
from domain.scanner_kernel import TickerKernel
from domain.scanner_rules import ScannerAlert, ScannerRules

PACE_HZ = 10  # frames per wall-clock second and path in the paced run: 10x Binance's rate


def live_path(scanner: MultiPairScanner, universe: frozenset[str]) -> Callable[[bytes], int]:
    """What BinanceMarketFeed and the trading loop do with one frame, minus the socket and the queue."""
    clock = SystemClock()
    router = FrameRouter(clock, universe=universe, stale_after_ms=60_000, counters=FeedCounters(),
                         bars=RecentBars(), warnings=ThrottledWarnings(clock))
    pending = router.pending

    def handle(raw: bytes) -> int:
        router.handle_text(raw.decode())
        updated = 0
        while pending:
            event = pending.popleft()
            if isinstance(event, TickersUpdated):
                updated += scanner.on_tickers(event)
        return updated
    return handle


class LivePath:
    """One way through the live path (a scanner with or without the compiled kernel) and its figures."""

    def __init__(self, symbols: list[str], kernel: TickerKernel | None) -> None:
        self.first_alert_ns: list[int] = []
        self.scanner = MultiPairScanner(ScannerRules(), self._alerted, capacity=1024, kernel=kernel)
        self.scanner.set_symbols(symbols)
        self.handle = live_path(self.scanner, frozenset(symbols))
        self.done_us: list[float] = []
        self.detect_us: list[float] = []
        self.cpu_us: list[float] = []
        self.updates = 0

    def _alerted(self, _: ScannerAlert) -> None:
        if not self.first_alert_ns:
            self.first_alert_ns.append(time.perf_counter_ns())

    def frame(self, raw: bytes) -> None:
        self.first_alert_ns.clear()
        cpu_start = time.thread_time_ns()
        received = time.perf_counter_ns()
        self.updates += self.handle(raw)
        finished = time.perf_counter_ns()
        self.cpu_us.append((time.thread_time_ns() - cpu_start) / 1000)
        self.done_us.append((finished - received) / 1000)
        if self.first_alert_ns:
            self.detect_us.append((self.first_alert_ns[0] - received) / 1000)

    def figures(self, cpu_pct: float) -> dict[str, float]:
        done, detect = np.array(self.done_us), np.array(self.detect_us)
        return {"frames": done.size, "updates": self.updates,
                "us_per_update": done.sum() / max(self.updates, 1),
                "frame_p50_us": float(np.percentile(done, 50)),
                "frame_p99_us": float(np.percentile(done, 99)),
                "detect_frames": detect.size,
                "detect_p50_us": float(np.percentile(detect, 50)) if detect.size else float("nan"),
                "detect_p99_us": float(np.percentile(detect, 99)) if detect.size else float("nan"),
                "cpu_pct": cpu_pct, "alerts": len(self.scanner.alerts),
                "frame_cpu_p50_us": float(np.percentile(self.cpu_us, 50)),
                "frame_cpu_p99_us": float(np.percentile(self.cpu_us, 99))}


def run(symbols: list[str], frames: list[bytes], paced_s: float,
        kernels: dict[str, TickerKernel | None]) -> dict[str, dict[str, float]]:
    """Every path gets every frame. Paced, the paths take turns (each frame goes to one path, then half a
    period later to the next, the order rotating), so they meet the same cold caches and machine load:
    their ratio is fair even when the machine is busy."""
    paths = {name: LivePath(symbols, kernel) for name, kernel in kernels.items()}
    order = list(paths.values())
    interval = 1.0 / PACE_HZ / len(order) if paced_s > 0 else 0.0
    gc.collect()
    gc.disable()  # the bot's own GC pauses are not what is measured here (they are rare and short)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    next_at = wall0
    for k, raw in enumerate(frames):
        for path in order[k % len(order):] + order[:k % len(order)]:
            if interval:
                next_at += interval
                time.sleep(max(0.0, next_at - time.perf_counter()))
            path.frame(raw)
    cpu_pct = 100 * (time.process_time() - cpu0) / (time.perf_counter() - wall0)
    gc.enable()
    return {name: path.figures(cpu_pct) for name, path in paths.items()}
