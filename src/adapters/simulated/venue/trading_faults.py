"""Faults of the venue's trading side, each for the next request(s) or event(s) that reach it.

Before execution: `fail_next` (503, nothing executed), `throttle_next` (429), `ban_next` (418), `hang_next`
(no answer past the client's timeout, nothing executed). After execution: `fail_after_execution` (503: the
order exists, the client does not know), `delay_next_orders` (the answer comes after the client gave up).
User data: `lose_user_events` (events lost on a socket that stays up), `drop_user_streams` (sockets cut).
"""

from __future__ import annotations

from collections.abc import Callable


class TradingFaults:
    """Faults of the trading side, each for the next request(s) that reach it."""

    def __init__(self) -> None:
        self.server_errors = 0
        self.throttled: list[float] = []  # Retry-After of each 429 to send
        self.ban_seconds = 0
        self.slow_orders: list[float] = []  # seconds to wait AFTER executing, before answering
        self.drop_hooks: list[Callable[[], int]] = []
        self.errors_after_execution = 0  # executed, then answered 503: status unknown to the client
        self.hung: list[float] = []  # seconds to hold a request, then drop it unexecuted
        self.lost_user_events = 0  # events not delivered to live user-data sockets (which stay up)

    def fail_after_execution(self, count: int = 1) -> None:
        """The next trading requests are executed, then answered HTTP 503 (status unknown)."""
        self.errors_after_execution += count

    def hang_next(self, seconds: float, count: int = 1) -> None:
        """The next trading requests get no answer for `seconds` (past the client's timeout), and are not
        executed: a connection that hangs before reaching the matching engine."""
        self.hung.extend([seconds] * count)

    def lose_user_events(self, count: int = 1) -> None:
        """The next order updates are not pushed to user-data subscribers; their sockets stay open."""
        self.lost_user_events += count

    def fail_next(self, count: int = 1) -> None:
        """HTTP 503, execution status unknown: nothing is executed."""
        self.server_errors += count

    def throttle_next(self, count: int = 1, retry_after: float = 1) -> None:
        self.throttled.extend([retry_after] * count)

    def ban_next(self, seconds: int = 120) -> None:
        self.ban_seconds = seconds

    def delay_next_orders(self, seconds: float, count: int = 1) -> None:
        """The next orders are executed, then answered `seconds` later (past the client's timeout)."""
        self.slow_orders.extend([seconds] * count)

    def drop_user_streams(self) -> int:
        """Cut every WebSocket API connection without a close frame."""
        return sum(hook() for hook in self.drop_hooks)
