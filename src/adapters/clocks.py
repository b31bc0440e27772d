"""Clocks: the wall clock for paper and live, a replayed one for backtests (ports.clock.Clock)."""

from __future__ import annotations

import asyncio
import math
import time


class SystemClock:
    """Real UTC time in integer milliseconds; `sleep` really waits."""

    def now_ms(self) -> int:
        return time.time_ns() // 1_000_000

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class ReplayClock:
    """Virtual time for a backtest. It only moves forward: the replay moves it to each event's time with
    `advance_to`, and `sleep` advances it at once instead of waiting (then yields to the event loop)."""

    def __init__(self, start_ms: int = 0, *, yields: bool = True) -> None:
        """`yields`: each sleep gives the event loop a turn (tasks running beside the replay get it). A
        backtest drives one chain of coroutines (its lanes run inline, no order stream): off there."""
        self._now_ms = int(start_ms)
        self._yields = yields

    def now_ms(self) -> int:
        return self._now_ms

    def advance_to(self, time_ms: int) -> None:
        """Move to `time_ms`; the same time is a no-op, an earlier one is a replay bug and raises."""
        if time_ms < self._now_ms:
            raise ValueError(f"replay clock cannot go back from {self._now_ms} ms to {time_ms} ms")
        self._now_ms = int(time_ms)

    async def sleep(self, seconds: float) -> None:
        if not math.isfinite(seconds):
            raise ValueError(f"cannot sleep {seconds!r} seconds")
        if seconds > 0:
            self._now_ms += math.ceil(seconds * 1000)  # never wake up before the deadline
        if self._yields:
            await asyncio.sleep(0)
