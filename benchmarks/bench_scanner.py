"""Scanner benchmark: cost per ticker update and detection latency, 200 pairs at 10x Binance's rate.

Binance sends `!miniTicker@arr` once a second with the tickers that changed; here 10 frames a second
of ~200 tickers: a replay 10x faster than real time, each frame one exchange second (a seeded random
walk on realistic price and volume levels, one pair jumping 0.4% in each frame so that momentum and
breakout alerts keep firing once a minute of history exists). Each frame is a JSON string; the clock
starts just before `json.loads` (the frame "received") and stops in the alert callback (detection) or
when the scanner returns (frame done); the frame's CPU time is also shown, since wall time on a shared
machine includes time other processes held the CPU. Two paths are measured:
  objects: json.loads -> Ticker objects (adapters/binance/parse.py, as the live feed does) -> on_tickers
  fast:    json.loads -> on_miniticker_payload (dicts straight into the arrays)
plus a "full market" variant where each frame also carries 1300 tickers of pairs outside the universe,
as the real all-market stream does.

Usage: .venv/bin/python benchmarks/bench_scanner.py [--pairs 200] [--frames 600] [--paced-seconds 20]
Targets (issue 6): <= 20 us per ticker update, p99 detection latency <= 1 ms.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from adapters.binance.parse import parse_mini_ticker_array
from domain.market_events import TickersUpdated
from domain.pair_state import ScannerAlert, ScannerRules
from domain.scanner import MultiPairScanner

T0 = 1_700_000_000_000
FRAME_MS = 1000  # event time per frame: one `!miniTicker@arr` a second, as Binance sends
PACE_HZ = 10  # frames per wall-clock second in the paced run: 10x Binance's rate


def make_frames(pairs: int, frames: int, extra: int, seed: int = 7) -> tuple[list[str], list[str]]:
    rng = np.random.default_rng(seed)
    symbols = [f"P{i:03d}USDT" for i in range(pairs)]
    others = [f"X{i:04d}BTC" for i in range(extra)]
    price = np.exp(rng.uniform(np.log(0.001), np.log(60_000), pairs + extra))
    quote = np.exp(rng.uniform(np.log(2e6), np.log(5e9), pairs + extra))
    high, low = price * 1.03, price * 0.95
    names = symbols + others
    out = []
    for k in range(frames):
        price *= np.exp(rng.normal(0, 0.0004, price.size))
        jump = (k * 7) % pairs
        price[jump] *= 1.004  # a burst on one pair per frame: momentum/breakout alerts keep coming
        quote *= 1 + rng.uniform(0, 2e-5, price.size)
        high, low = np.maximum(high, price), np.minimum(low, price)
        changed = np.flatnonzero(rng.random(price.size) < 0.97)
        event = T0 + k * FRAME_MS
        out.append(json.dumps([
            {"e": "24hrMiniTicker", "E": event, "s": names[i], "c": f"{price[i]:.8f}", "o": f"{price[i]:.8f}",
             "h": f"{high[i]:.8f}", "l": f"{low[i]:.8f}", "v": "123456.00000000", "q": f"{quote[i]:.8f}"}
            for i in changed]))
    return symbols, out


def objects_path(scanner: MultiPairScanner, wanted: frozenset[str]) -> Callable[[str], int]:
    def handle(raw: str) -> int:
        tickers, _ = parse_mini_ticker_array(json.loads(raw), wanted)
        if not tickers:
            return 0
        return scanner.on_tickers(TickersUpdated(tickers, max(t.event_time_ms for t in tickers)))
    return handle


def fast_path(scanner: MultiPairScanner, _: frozenset[str]) -> Callable[[str], int]:
    return lambda raw: scanner.on_miniticker_payload(json.loads(raw))


def run(path: Callable[[MultiPairScanner, frozenset[str]], Callable[[str], int]], symbols: list[str],
        frames: list[str], paced_s: float) -> dict[str, float]:
    first_alert_ns: list[int] = []

    def on_alert(_: ScannerAlert) -> None:
        if not first_alert_ns:
            first_alert_ns.append(time.perf_counter_ns())

    scanner = MultiPairScanner(ScannerRules(), on_alert, capacity=1024)
    scanner.set_symbols(symbols)
    handle = path(scanner, frozenset(symbols))
    done_us, detect_us, cpu_us, updates = [], [], [], 0
    interval = 1.0 / PACE_HZ if paced_s > 0 else 0.0
    gc.disable()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    next_at = wall0
    for raw in frames:
        if interval:
            next_at += interval
            while time.perf_counter() < next_at:
                time.sleep(max(0.0, min(0.002, next_at - time.perf_counter())))
        first_alert_ns.clear()
        cpu_start = time.thread_time_ns()
        received = time.perf_counter_ns()
        updates += handle(raw)
        finished = time.perf_counter_ns()
        cpu_us.append((time.thread_time_ns() - cpu_start) / 1000)
        done_us.append((finished - received) / 1000)
        if first_alert_ns:
            detect_us.append((first_alert_ns[0] - received) / 1000)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    gc.enable()
    done, detect = np.array(done_us), np.array(detect_us)
    return {"frames": len(frames), "updates": updates, "us_per_update": done.sum() / max(updates, 1),
            "frame_p50_us": float(np.percentile(done, 50)), "frame_p99_us": float(np.percentile(done, 99)),
            "detect_frames": detect.size,
            "detect_p50_us": float(np.percentile(detect, 50)) if detect.size else float("nan"),
            "detect_p99_us": float(np.percentile(detect, 99)) if detect.size else float("nan"),
            "cpu_pct": 100 * cpu / wall, "alerts": len(scanner.alerts),
            "frame_cpu_p50_us": float(np.percentile(cpu_us, 50)),
            "frame_cpu_p99_us": float(np.percentile(cpu_us, 99))}


def breakdown(symbols: list[str], frames: list[str]) -> None:
    """Median per-frame cost of each step, to see where a frame's time goes."""
    scanner = MultiPairScanner(ScannerRules(), capacity=1024)
    scanner.set_symbols(symbols)
    wanted = frozenset(symbols)
    steps: dict[str, list[float]] = {"json.loads": [], "Ticker objects": [], "on_tickers": [],
                                     "on_miniticker_payload": []}
    twin = MultiPairScanner(ScannerRules(), capacity=1024)
    twin.set_symbols(symbols)
    for raw in frames:
        t0 = time.perf_counter_ns()
        items = json.loads(raw)
        t1 = time.perf_counter_ns()
        tickers, _ = parse_mini_ticker_array(items, wanted)
        t2 = time.perf_counter_ns()
        scanner.on_tickers(TickersUpdated(tickers, max(t.event_time_ms for t in tickers)))
        t3 = time.perf_counter_ns()
        twin.on_miniticker_payload(items)
        t4 = time.perf_counter_ns()
        for name, ns in zip(steps, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
            steps[name].append(ns / 1000)
    print("median per frame: " + ", ".join(f"{k} {np.median(v):.0f} us" for k, v in steps.items()))


def report(name: str, r: dict[str, float]) -> None:
    print(f"{name:<28} {r['us_per_update']:7.2f} us/update   frame p50 {r['frame_p50_us']:7.0f} us "
          f"p99 {r['frame_p99_us']:7.0f} us   detection p50 {r['detect_p50_us']:7.0f} us "
          f"p99 {r['detect_p99_us']:7.0f} us ({int(r['detect_frames'])}/{int(r['frames'])} frames alerted)"
          f"   frame CPU time p50 {r['frame_cpu_p50_us']:6.0f} us p99 {r['frame_cpu_p99_us']:6.0f} us"
          f"   CPU {r['cpu_pct']:5.1f}%")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=int, default=200)
    parser.add_argument("--frames", type=int, default=600, help="frames for the back-to-back runs")
    parser.add_argument("--paced-seconds", type=float, default=20.0, help="0 to skip the real-time run")
    args = parser.parse_args()
    process = psutil.Process()
    rss_imports = process.memory_info().rss
    symbols, frames = make_frames(args.pairs, args.frames, extra=0)
    scanner = MultiPairScanner(ScannerRules(), capacity=1024)
    scanner.set_symbols(symbols)
    for raw in frames[:400]:  # five minutes of history: every array row and column written
        fast_path(scanner, frozenset(symbols))(raw)
    rss_scanner = process.memory_info().rss
    _, full_market = make_frames(args.pairs, args.frames // 2, extra=1300)
    print(f"{args.pairs} pairs, ~{args.pairs * 0.97:.0f} tickers a frame, frame JSON "
          f"~{len(frames[0]) // 1024} KiB; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs "
          f"(other work on the machine inflates wall-time p99)")
    print(f"resident memory: {rss_imports / 2**20:.1f} MiB after imports; {rss_scanner / 2**20:.1f} MiB "
          f"with a capacity-1024 scanner fed 400 frames and the test frames held in memory "
          f"({len(''.join(frames)) / 2**20:.1f} MiB of JSON)")
    breakdown(symbols, frames)
    for name, path in (("objects", objects_path), ("fast", fast_path)):
        run(path, symbols, frames[:50], 0.0)  # warm-up
        report(f"{name} back-to-back", run(path, symbols, frames, 0.0))
        report(f"{name} full-market frames", run(path, symbols, full_market, 0.0))
        if args.paced_seconds > 0:
            paced = frames[: int(args.paced_seconds * PACE_HZ)]
            report(f"{name} paced 10 frames/s", run(path, symbols, paced, args.paced_seconds))

if __name__ == "__main__":
    main()
