"""One client-side rate limiter for every Binance request of an account (binance-spot-api.md 3).

Fixed windows like Binance's (a 1-minute window resets at :00 of the server clock). Each request first
`acquire`s its cost; the limiter holds it when the window would pass `safety` x limit, so the bot slows
down before Binance answers 429. Response headers (X-MBX-USED-WEIGHT-1M, X-MBX-ORDER-COUNT-10S/1D) correct
the local count with the server's own. A 429 pauses every request for Retry-After; a 418 ban stops them:
`acquire` raises RateLimited(banned=True) until the ban ends.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from adapters.binance.parse_orders import RateLimit
from ports.clock import Clock
from ports.errors import RateLimited

REQUEST_WEIGHT = "REQUEST_WEIGHT"
ORDERS = "ORDERS"
RAW_REQUESTS = "RAW_REQUESTS"
# Production values seen in 2026 (binance-spot-api.md 3); replaced by exchangeInfo.rateLimits at start.
DEFAULT_LIMITS = (RateLimit(REQUEST_WEIGHT, 60_000, 6000), RateLimit(ORDERS, 10_000, 100),
                  RateLimit(ORDERS, 86_400_000, 200_000), RateLimit(RAW_REQUESTS, 300_000, 300_000))
_HEADER = re.compile(r"^x-mbx-(used-weight|order-count)-(\d+)([smhd])$")
_UNIT_MS = {"s": 1_000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}
_HEADER_KIND = {"used-weight": REQUEST_WEIGHT, "order-count": ORDERS}


@dataclass(slots=True)
class _Window:
    kind: str
    interval_ms: int
    limit: int
    start_ms: int = 0
    used: int = 0

    def roll(self, now_ms: int) -> None:
        start = now_ms - now_ms % self.interval_ms
        if start != self.start_ms:
            self.start_ms, self.used = start, 0


class RateLimiter:
    def __init__(self, clock: Clock, *, limits: Sequence[RateLimit] = DEFAULT_LIMITS, safety: float = 0.8,
                 guard_ms: int = 50, now_ms: Callable[[], int] | None = None) -> None:
        if not 0 < safety <= 1:
            raise ValueError(f"safety must be in (0, 1], got {safety}")
        self._clock = clock
        self._now_ms = now_ms or clock.now_ms
        self._safety = safety
        self._guard_ms = guard_ms  # margin after a reset: our clock and Binance's differ by a few ms
        self._windows: list[_Window] = []
        self._paused_until_ms = 0
        self._banned_until_ms = 0
        self.waited_ms = 0  # total time held back, for monitoring
        self.configure(limits)

    def configure(self, limits: Sequence[RateLimit]) -> None:
        """Use the limits the exchange publishes (exchangeInfo.rateLimits). What was already spent carries
        over: a window kept as is keeps its count; a new one starts from the count of the longest window of
        its kind (it includes this shorter window's requests: an over-count, never an under-count)."""
        now = self._now_ms()
        for window in self._windows:
            window.roll(now)
        old = {(w.kind, w.interval_ms): w for w in self._windows}
        windows = []
        for limit in limits:
            kept = old.get((limit.kind, limit.interval_ms))
            window = _Window(limit.kind, limit.interval_ms, limit.limit)
            window.roll(now)
            if kept is not None:
                window.used = kept.used
            else:
                window.used = max((w.used for w in self._windows
                                   if w.kind == limit.kind and w.interval_ms >= limit.interval_ms), default=0)
            windows.append(window)
        self._windows = windows

    def set_clock(self, now_ms: Callable[[], int]) -> None:
        """Count windows on the server's clock (local time plus the synced offset)."""
        self._now_ms = now_ms

    def used(self, kind: str, interval_ms: int) -> int:
        for window in self._windows:
            if window.kind == kind and window.interval_ms == interval_ms:
                window.roll(self._now_ms())
                return window.used
        return 0

    def _budget(self, window: _Window) -> int:
        return max(1, int(window.limit * self._safety))

    def _cost(self, kind: str, weight: int, orders: int) -> int:
        return {REQUEST_WEIGHT: weight, ORDERS: orders, RAW_REQUESTS: 1}.get(kind, 0)

    def check_ban(self) -> None:
        remaining = self._banned_until_ms - self._now_ms()
        if remaining > 0:
            raise RateLimited(f"IP banned by Binance (HTTP 418) for {remaining / 1000:.0f} s more; "
                              "requests stopped", retry_after=remaining / 1000, banned=True)

    async def acquire(self, weight: int, orders: int = 0) -> None:
        """Wait until a request of this weight (and new-order count) fits every window, then count it."""
        while True:
            self.check_ban()
            now = self._now_ms()
            wait_ms = self._paused_until_ms - now
            for window in self._windows:
                window.roll(now)
                cost = self._cost(window.kind, weight, orders)
                # A request bigger than the whole budget still goes alone in a fresh window.
                if cost and window.used + cost > self._budget(window) and window.used > 0:
                    wait_ms = max(wait_ms, window.start_ms + window.interval_ms + self._guard_ms - now)
            if wait_ms <= 0:
                for window in self._windows:
                    window.used += self._cost(window.kind, weight, orders)
                return
            self.waited_ms += wait_ms
            await self._clock.sleep(wait_ms / 1000)

    def observe(self, headers: Mapping[str, str], *, sent_at_ms: int | None = None) -> None:
        """Take the server's counts from a response; ignore them if the window rolled since sending."""
        now = self._now_ms()
        for key, value in headers.items():
            match = _HEADER.match(key.lower())
            if not match:
                continue
            kind, interval = _HEADER_KIND[match.group(1)], int(match.group(2)) * _UNIT_MS[match.group(3)]
            for window in self._windows:
                if window.kind != kind or window.interval_ms != interval:
                    continue
                window.roll(now)
                if sent_at_ms is not None and sent_at_ms < window.start_ms:
                    continue
                try:
                    window.used = max(window.used, int(value))
                except ValueError:
                    continue

    def observe_rate_limits(self, rate_limits: object, *, sent_at_ms: int | None = None) -> None:
        """The WebSocket API's `rateLimits` array (its answer's counts, in place of REST's headers)."""
        if not isinstance(rate_limits, list):
            return
        headers = {}
        for limit in rate_limits:
            kind = {REQUEST_WEIGHT: "used-weight", ORDERS: "order-count"}.get(
                limit.get("rateLimitType", "") if isinstance(limit, dict) else "")
            if kind is not None and "count" in limit:
                unit = str(limit.get("interval", "?"))[:1].lower()
                headers[f"x-mbx-{kind}-{limit.get('intervalNum', 1)}{unit}"] = str(limit["count"])
        self.observe(headers, sent_at_ms=sent_at_ms)

    def back_off(self, retry_after_s: float) -> None:
        """HTTP 429: no request at all before Retry-After."""
        self._paused_until_ms = max(self._paused_until_ms, self._now_ms() + int(retry_after_s * 1000))

    def ban(self, retry_after_s: float) -> None:
        """HTTP 418: stop every request until the ban ends."""
        self._banned_until_ms = max(self._banned_until_ms, self._now_ms() + int(retry_after_s * 1000))
