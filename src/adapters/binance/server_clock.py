"""Trading time that follows a server's clock: a local venue replaying recorded days at x`speed`.

Anchored on its GET /api/v3/time; the speed is given or measured over a few readings.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import aiohttp

from adapters.binance.market_rest import MarketRest
from adapters.simulated.venue.sim_clock import VenueClock
from ports.clock import Clock
from ports.errors import ExchangeError, ExchangeUnavailable


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


class ExchangeClock:
    """Live trading time on the exchange's clock (issue 14): the wall clock plus the offset BinanceExchange
    measures against GET /api/v3/time (at entry, and again after a -1021). Entry times come from the
    exchange (transactTime), so timeouts and hold times measured on this clock are on the same one: a skew
    of the local clock neither lengthens nor cuts a hold. Waits are the wall clock's."""

    def __init__(self, exchange_time_ms: Callable[[], int], wall: Clock) -> None:
        self._exchange_time_ms, self._wall = exchange_time_ms, wall

    def now_ms(self) -> int:
        return self._exchange_time_ms()

    async def sleep(self, seconds: float) -> None:
        await self._wall.sleep(seconds)
