"""What an exchange error means for the trading loop (the only place that decides: style rule 5).

- RateLimited: pause every exchange call until Retry-After (the kill switch still acts);
- RateLimited(banned) or AuthenticationFailed: halt safely, positions keep their exchange-side OCO;
- InsufficientBalance: skip, resync balances;
- OrderRejected: log and skip that order;
- ExchangeUnavailable (already retried with back-off by the use case) and other ExchangeErrors: log,
  pause exchange work 1 s, then 2, 4... up to 60 s while the failures go on in a row (the feed is still
  consumed meanwhile, and every position keeps its exchange-side OCO);
- anything else is a bug in one step: logged with its traceback, the loop goes on.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable

from loguru import logger

from ports.clock import Clock
from ports.errors import AuthenticationFailed, ExchangeError, InsufficientBalance, OrderRejected, RateLimited


class ErrorPolicy:
    def __init__(self, clock: Clock, *, on_halt: Callable[[str], None], on_resync: Callable[[], None],
                 mode: str = "paper", on_ban: Callable[[float, str], None] | None = None) -> None:
        """`on_ban(retry_after_s, reason)`: the exchange banned the IP (remembered across restarts)."""
        self._clock, self._on_halt, self._on_resync, self._on_ban = clock, on_halt, on_resync, on_ban
        self._log = logger.bind(mode=mode)
        self.paused_until_ms = 0
        self._failures_in_a_row = 0

    def paused(self, now_ms: int) -> bool:
        return now_ms < self.paused_until_ms

    async def guard(self, what: str, action: Awaitable[object]) -> bool:
        """Run one exchange-facing action and apply the policy to its failure. True when it succeeded."""
        try:
            await action
            self._failures_in_a_row = 0
            return True
        except RateLimited as exc:
            if exc.banned:
                if self._on_ban is not None:
                    self._on_ban(exc.retry_after, f"during {what}: {exc}")
                self._on_halt(f"IP banned by the exchange during {what}: {exc}")
            else:
                self._pause(exc.retry_after)
                self._log.warning("Rate limited during {}: exchange work paused {:.1f}s", what,
                                  exc.retry_after)
        except AuthenticationFailed as exc:
            self._on_halt(f"authentication failed during {what}: {exc}")
        except InsufficientBalance as exc:
            self._log.warning("Insufficient balance for {}: {}; skipped, balances resynced", what, exc)
            self._on_resync()
        except OrderRejected as exc:
            self._log.error("Order failed ({}): {}; skipped", what, exc)
        except ExchangeError as exc:
            self._failures_in_a_row += 1
            pause_s = min(2 ** (self._failures_in_a_row - 1), 60)
            self._pause(pause_s)
            self._log.error("{} failed: {} ({}); exchange work paused {}s", what, exc, type(exc).__name__,
                            pause_s)
        except Exception:  # a bug in one step must not stop the bot: logged with its traceback
            self._log.exception("Unexpected error during {}; the loop goes on", what)
        return False

    def _pause(self, seconds: float) -> None:
        until = self._clock.now_ms() + math.ceil(seconds * 1000)
        self.paused_until_ms = max(self.paused_until_ms, until)
