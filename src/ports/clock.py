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
