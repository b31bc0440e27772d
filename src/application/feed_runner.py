"""Run a trading loop over its market feed: start, step every event, reconnect a failed feed with backoff,
halt after too many failures in a row, stop (always). The loop itself only knows how to take one step.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Protocol

from domain.market_events import MarketEvent
from ports.clock import Clock
from ports.errors import ExchangeError


class SteppedLoop(Protocol):
    @property
    def stopped(self) -> bool: ...

    stopped_reason: str | None

    async def start(self) -> None: ...

    async def step(self, event: MarketEvent) -> None: ...

    async def stop(self) -> None: ...

    def request_stop(self, reason: str = "stop requested") -> None: ...


class EventSource(Protocol):
    def events(self) -> AsyncIterator[MarketEvent]: ...


async def consume_feed(loop: SteppedLoop, feed: EventSource, clock: Clock, *, max_restarts: int,
                       halt: Callable[[str], None], log: Any) -> str:
    """Start `loop`, give it every event of `feed` until the feed ends or the loop stops, then stop it.
    A feed failure reconnects after 2, 4, 8... s; more than `max_restarts` failures in a row (without an
    event between them) halt the loop. Returns why it stopped."""
    await loop.start()
    settle_heap()
    failures, consumed = 0, [0]
    try:
        while not loop.stopped:
            before = consumed[0]
            try:
                await _consume(loop, feed, consumed)
                loop.request_stop("the market feed ended")
            except ExchangeError as exc:
                failures = 1 if consumed[0] > before else failures + 1  # in a row
                if failures > max_restarts:
                    halt(f"market feed failed {failures} times in a row: {exc}")
                else:
                    log.error("Market feed failed ({}): reconnecting in {}s", exc, 2 ** failures)
                    await clock.sleep(2 ** failures)
    finally:
        await loop.stop()
    return loop.stopped_reason or "stopped"


def settle_heap() -> None:
    """Take what start-up built (model, rules, history) out of the collector's reach: a full collection
    then scans only what the run allocates, so no long pause lands between a market event and its order."""
    gc.collect()
    gc.freeze()


async def _consume(loop: SteppedLoop, feed: EventSource, consumed: list[int]) -> None:
    events = feed.events()
    try:
        async for event in events:
            consumed[0] += 1
            await loop.step(event)
            if loop.stopped:
                return
    finally:
        close: Callable[[], Awaitable[None]] | None = getattr(events, "aclose", None)
        if close is not None:
            await close()
