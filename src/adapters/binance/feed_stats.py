"""Counters of the stream feed, and a WARNING log that cannot flood when a stream goes bad."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from loguru import logger

from ports.clock import Clock


@dataclass(frozen=True, slots=True)
class FeedStats:
    """A snapshot of `BinanceMarketFeed.stats()`; `malformed` counts dropped frames by reason."""

    frames: int
    events: int
    malformed: dict[str, int]
    duplicates: int
    reconnects: int
    backfilled_candles: int
    backfill_failures: int
    stale_marks: int
    control_messages: int
    control_errors: int

    @property
    def malformed_total(self) -> int:
        return sum(self.malformed.values())


@dataclass(slots=True)
class FeedCounters:
    frames: int = 0
    events: int = 0
    malformed: Counter[str] = field(default_factory=Counter)
    duplicates: int = 0
    reconnects: int = 0
    backfilled_candles: int = 0
    backfill_failures: int = 0
    stale_marks: int = 0
    control_messages: int = 0
    control_errors: int = 0

    def snapshot(self) -> FeedStats:
        return FeedStats(self.frames, self.events, dict(self.malformed), self.duplicates, self.reconnects,
                         self.backfilled_candles, self.backfill_failures, self.stale_marks,
                         self.control_messages, self.control_errors)


class ThrottledWarnings:
    """At most one WARNING per reason every `every_sec`; the next one says how many were held back."""

    def __init__(self, clock: Clock, *, every_sec: float = 10.0) -> None:
        self._clock = clock
        self._every_ms = int(every_sec * 1000)
        self._last_ms: dict[str, int] = {}
        self._held: Counter[str] = Counter()

    def warn(self, reason: str, detail: str) -> None:
        now = self._clock.now_ms()
        last = self._last_ms.get(reason)
        if last is not None and now - last < self._every_ms:
            self._held[reason] += 1
            return
        self._last_ms[reason] = now
        held = self._held.pop(reason, 0)
        suffix = f" ({held} more since the last warning)" if held else ""
        logger.warning("market feed: dropped a frame, {}: {}{}", reason, detail[:200], suffix)
