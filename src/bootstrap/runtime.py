"""Running a trading loop as a long-lived process: signals, a bounded duration, the venue's clock.

SIGINT / SIGTERM (Ctrl-C, `kill`, systemd, `docker stop`) ask the loop to stop after its current step:
it then reports the open positions (their OCO stays on the exchange), flushes the journal and logs the
final stats line. If no market event arrives to end that step within `grace_sec`, or a second signal
comes, the loop is cancelled where it waits; its stop still runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time

import aiohttp
from loguru import logger

from adapters.binance.market_rest import MarketRest
from adapters.simulated.venue.sim_clock import VenueClock
from application.trading_loop import TradingLoop
from ports.errors import ExchangeError, ExchangeUnavailable

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


async def run_until_stopped(loop: TradingLoop, *, duration_sec: float | None = None,
                            grace_sec: float = 15.0) -> str:
    """Run the loop until its feed ends, it halts, a stop signal arrives or `duration_sec` (wall clock)
    passes. Returns why it stopped. Start-up errors (ExchangeError, ConfigurationError) propagate."""
    running = asyncio.get_running_loop()
    task = asyncio.ensure_future(loop.run_until_feed_ends())
    stop_asked = asyncio.Event()

    def ask_stop(reason: str) -> None:
        if stop_asked.is_set():
            logger.warning("{}: stopping now", reason)
            task.cancel()
            return
        logger.info("{}: stopping after the current step", reason)
        loop.request_stop(reason)
        stop_asked.set()

    for sig in STOP_SIGNALS:
        running.add_signal_handler(sig, ask_stop, f"{sig.name} received")
    timer = running.call_later(duration_sec, ask_stop, f"duration of {duration_sec:g} s reached") \
        if duration_sec is not None else None
    try:
        waiter = asyncio.ensure_future(stop_asked.wait())
        await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        if not task.done():
            done, _ = await asyncio.wait({task}, timeout=grace_sec)
            if not done:
                logger.warning("no market event within {:g} s of the stop request: stopping now", grace_sec)
                task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            return await task
        return loop.stopped_reason or "stopped"
    finally:
        if timer is not None:
            timer.cancel()
        for sig in STOP_SIGNALS:
            running.remove_signal_handler(sig)


async def venue_clock(rest_url: str, *, speed: float | None = None, samples: int = 10,
                      spacing_sec: float = 0.1, timeout_sec: float = 5.0) -> VenueClock:
    """A clock that follows a local venue's accelerated clock, anchored on its GET /api/v3/time. At
    `speed`, or else at the speed measured over `samples` readings (the faster half of the round trips,
    the others may have waited on a busy venue), snapped to a whole number when within 0.5% of one."""
    points: list[tuple[float, float, int]] = []  # (round trip, midpoint, venue time)
    async with aiohttp.ClientSession() as session:
        rest = MarketRest(session, rest_url, timeout_sec=timeout_sec)
        for i in range(2 if speed is not None else samples):
            if i and speed is None:
                await asyncio.sleep(spacing_sec)
            before = time.monotonic()
            try:
                server_ms = await rest.server_time_ms()
            except (ExchangeError, KeyError, TypeError, ValueError) as exc:
                raise ExchangeUnavailable(f"venue {rest_url}: GET /api/v3/time failed: {exc}") from None
            after = time.monotonic()
            points.append((after - before, (before + after) / 2, server_ms))
    if speed is None:
        fastest = sorted(points[1:])[: max(2, len(points) // 2)]  # the first one also opened the connection
        speed = _measured_speed([(mid, server) for _, mid, server in fastest])
    _, mid, server_ms = min(points[1:])
    return VenueClock(server_ms + round((time.monotonic() - mid) * speed * 1000), speed=speed)


def _measured_speed(points: list[tuple[float, int]]) -> float:
    n = len(points)
    mean_t = sum(t for t, _ in points) / n
    mean_v = sum(v for _, v in points) / n
    spread = sum((t - mean_t) ** 2 for t, _ in points)
    slope = sum((t - mean_t) * (v - mean_v) for t, v in points) / spread / 1000 if spread > 0 else 0.0
    if not slope > 0:
        raise ExchangeUnavailable(f"the venue's clock does not move forward (measured speed {slope:.3g})")
    whole = round(slope)
    return float(whole) if whole >= 1 and abs(slope - whole) <= 0.005 * slope else slope
