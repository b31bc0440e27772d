"""The venue's simulated clock: recorded time that runs `speed` times faster than the wall clock.

It implements ports.clock.Clock, so the venue's trading side (and a client in the same process) can
share it. `advance` jumps ahead (the replay then resumes from the new time, as a live stream would).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


class VenueClock:
    def __init__(self, start_ms: int, *, speed: float = 1.0,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        if speed <= 0:
            raise ValueError(f"speed must be positive, got {speed}")
        self.speed = speed
        self._start_ms = int(start_ms)
        self._monotonic = monotonic
        self._anchor = monotonic()
        self._offset_ms = 0

    def now_ms(self) -> int:
        return self._start_ms + self._offset_ms + int((self._monotonic() - self._anchor) * self.speed * 1000)

    async def sleep(self, seconds: float) -> None:
        """Wait `seconds` of simulated time (seconds / speed of real time)."""
        await asyncio.sleep(max(0.0, seconds) / self.speed)

    def advance(self, ms: int) -> None:
        if ms < 0:
            raise ValueError(f"the venue clock only moves forward, got {ms} ms")
        self._offset_ms += ms

    def real_seconds(self, simulated_ms: float) -> float:
        """How long `simulated_ms` of venue time lasts on the wall clock."""
        return simulated_ms / 1000 / self.speed
