"""Once the loop has started, the start-up heap is frozen out of the garbage collector's scans, so a full
collection during the run walks only what the run allocated (no long pause on an order's path)."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator

from application.feed_runner import consume_feed
from domain.market_events import MarketEvent


class StartedLoop:
    """A loop that builds a start-up heap and notes, at its first step, how much of it is frozen."""

    def __init__(self) -> None:
        self.stopped, self.stopped_reason = False, None
        self.heap: list[dict[str, int]] = []
        self.frozen_at_first_step = -1

    async def start(self) -> None:
        self.heap = [{"bar": i} for i in range(10_000)]

    async def step(self, event: MarketEvent) -> None:
        self.frozen_at_first_step = gc.get_freeze_count()
        self.stopped = True

    async def stop(self) -> None:
        return None

    def request_stop(self, reason: str = "stop requested") -> None:
        self.stopped = True


class OneEvent:
    async def events(self) -> AsyncIterator[MarketEvent]:
        yield object()  # type: ignore[misc]


async def test_the_start_up_heap_is_frozen_before_the_first_event() -> None:
    loop = StartedLoop()
    try:
        await consume_feed(loop, OneEvent(), clock=None, max_restarts=0,  # type: ignore[arg-type]
                           halt=lambda reason: None, log=None)
        assert loop.frozen_at_first_step >= len(loop.heap)
    finally:
        gc.unfreeze()
