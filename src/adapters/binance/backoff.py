"""Pacing helpers for the stream connection: reconnect back-off and the control-message budget."""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass, field

from ports.clock import Clock


@dataclass(slots=True)
class Backoff:
    """Exponential back-off with full jitter: attempt n waits uniform(0, min(cap, base * factor**n)).

    Full jitter spreads many clients reconnecting after the same outage (Binance caps connection
    attempts at 300 per 5 minutes per IP). `floor` keeps a minimum pause so a refusing server is not
    hammered. `reset()` after a connection that stayed up.
    """

    base_sec: float = 0.5
    cap_sec: float = 30.0
    factor: float = 2.0
    floor_sec: float = 0.05
    rng: random.Random = field(default_factory=random.Random)
    attempts: int = 0

    def __post_init__(self) -> None:
        if self.base_sec <= 0 or self.cap_sec < self.base_sec or self.factor < 1 or self.floor_sec < 0:
            raise ValueError(f"bad back-off parameters: base={self.base_sec} cap={self.cap_sec} "
                             f"factor={self.factor} floor={self.floor_sec}")

    def next_delay(self) -> float:
        ceiling = min(self.cap_sec, self.base_sec * self.factor ** min(self.attempts, 32))
        self.attempts += 1
        return max(self.floor_sec, self.rng.uniform(0, ceiling))

    def reset(self) -> None:
        self.attempts = 0


class MessagePacer:
    """At most `per_window` messages in any `window_sec` sliding window, evenly spaced (a message every
    window / per_window); `acquire()` waits for the slot.

    Binance drops a stream connection that receives more than 5 messages a second (control messages,
    pings and pongs all count), counted when the server reads them. A burst sent in one go can reach the
    server bunched up with the next ones, so messages are spread out: 4 a second, one every 250 ms.
    """

    def __init__(self, clock: Clock, *, per_window: int = 4, window_sec: float = 1.0) -> None:
        if per_window < 1 or window_sec <= 0:
            raise ValueError(f"pacer needs per_window >= 1, window_sec > 0; got {per_window}, {window_sec}")
        self._clock = clock
        self._per_window = per_window
        self._window_ms = int(window_sec * 1000)
        self._sent: deque[int] = deque()

    async def acquire(self) -> None:
        while True:
            now = self._clock.now_ms()
            while self._sent and self._sent[0] <= now - self._window_ms:
                self._sent.popleft()
            spaced_at = self._sent[-1] + self._window_ms // self._per_window if self._sent else now
            if len(self._sent) < self._per_window and now >= spaced_at:
                self._sent.append(now)
                return
            free_at = self._sent[0] + self._window_ms if len(self._sent) >= self._per_window else spaced_at
            await self._clock.sleep((max(free_at, spaced_at) - now + 1) / 1000)
