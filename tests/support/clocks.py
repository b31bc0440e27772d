"""Test clocks shared by adapter tests."""

from __future__ import annotations


class ManualClock:
    """A Clock port whose sleep advances time at once (like a replay clock) and records each wait."""

    def __init__(self, now_ms: int = 1_700_000_000_000) -> None:
        self.now = now_ms
        self.slept: list[float] = []

    def now_ms(self) -> int:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += round(seconds * 1000)
