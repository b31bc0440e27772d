"""The one test clock: a Clock port (and a replay's AdvancingClock) that tests move by hand.

`sleep` advances time at once, as a replay clock does, and records each wait; `advance_to` never goes
back. Every test that needs a clock uses this one (rate limiter, feed, simulator, trading use cases).
"""

from __future__ import annotations

import math

T0 = 1_700_000_040_000  # a minute boundary (UTC): the default start of test time


class ManualClock:
    def __init__(self, now_ms: int = T0) -> None:
        self.now = now_ms
        self.slept: list[float] = []

    def now_ms(self) -> int:
        return self.now

    def advance_to(self, time_ms: int) -> None:
        self.now = max(self.now, time_ms)

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += math.ceil(seconds * 1000)
