from __future__ import annotations

from typing import Protocol


class Clock(Protocol):
    """The only source of time outside bootstrap: real, or replayed in a backtest."""

    def now_ms(self) -> int:
        """Milliseconds since the Unix epoch, UTC."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait; a replay clock advances instead of waiting."""
        ...


class AdvancingClock(Protocol):
    """A clock a replay drives (adapters.clocks.ReplayClock): time moves only when told."""

    def now_ms(self) -> int: ...

    def advance_to(self, time_ms: int) -> None: ...
