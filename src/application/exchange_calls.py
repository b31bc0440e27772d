"""How the use cases call the exchange: deterministic client ids and bounded retries of one request.

A retried order reuses its client id, and the Exchange port promises that a retry with the same id never
places the order twice, so an ExchangeUnavailable (execution status unknown) is safe to retry. What is
not retried here (rejections, long rate limits, bans, authentication) goes up to the trading loop, which
alone decides to skip, pause or halt.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Awaitable, Callable
from typing import TypeVar

from loguru import logger

from application.trading_config import RetryPolicy
from ports.clock import Clock
from ports.errors import ClockSkew, ExchangeUnavailable, RateLimited
from ports.exchange import TransientFailures

T = TypeVar("T")

CLIENT_ID_PATTERN = re.compile(r"^[.A-Z:/a-z0-9_-]{1,36}$")
_LEGAL_PREFIX: dict[tuple[str, str], bool] = {}  # (kind, symbol): is `cs<kind>-<symbol>-` legal


def client_order_id(kind: str, symbol: str, time_ms: int, attempt: int = 0) -> str:
    """`cs<kind>-<symbol>-<time>[-<attempt>]`, or a hash of it when that is not a legal Binance id.

    kind: e = entry, o = OCO list, x = exit sale, u = sale of an unprotected buy, s = orphan sale.
    The same inputs always give the same id: that is what makes a retry idempotent."""
    readable = f"cs{kind}-{symbol}-{time_ms}" + (f"-{attempt}" if attempt else "")
    # The digits and dashes appended to the prefix are always legal: only the prefix and the length are
    # in question, and the prefix is asked about once per kind and symbol.
    legal_prefix = _LEGAL_PREFIX.get((kind, symbol))
    if legal_prefix is None:
        legal_prefix = CLIENT_ID_PATTERN.match(f"cs{kind}-{symbol}-0") is not None
        _LEGAL_PREFIX[(kind, symbol)] = legal_prefix
    if legal_prefix and len(readable) <= 36 and time_ms >= 0 and attempt >= 0:
        return readable
    if CLIENT_ID_PATTERN.match(readable):
        return readable
    digest = hashlib.sha256(readable.encode()).hexdigest()
    return f"cs{kind}-{digest[:36 - 3 - len(kind)]}"


async def with_retries(call: Callable[[], Awaitable[T]], *, clock: Clock, policy: RetryPolicy,
                       what: str) -> T:
    """Run `call`, retrying transient failures (unavailable, clock skew, short rate limits) with a
    bounded exponential back-off on the Clock, so a replay skips the waits."""
    delay = policy.first_delay_s
    for attempt in range(1, policy.attempts + 1):
        try:
            return await call()
        except RateLimited as exc:
            if exc.banned or exc.retry_after > policy.max_rate_limit_wait_s or attempt == policy.attempts:
                raise
            logger.warning("Rate limited on {}: retrying in {:.1f}s ({})", what, exc.retry_after, exc)
            await clock.sleep(exc.retry_after)
        except (ExchangeUnavailable, ClockSkew) as exc:
            if attempt == policy.attempts:
                raise
            logger.warning("{} failed ({}): retry {}/{} in {:.1f}s", what, exc, attempt,
                           policy.attempts - 1, delay)
            await clock.sleep(delay)
            delay = min(delay * 2, policy.max_delay_s)
    raise AssertionError("unreachable: the last attempt returns or raises")


class ExchangeCalls:
    """`with_retries` bound to one exchange, clock and policy: a plain await when the exchange says it
    cannot fail transiently (ports.exchange.TransientFailures; the simulator), so a replay's thousands of
    calls skip the retry frame."""

    def __init__(self, exchange: object, clock: Clock, policy: RetryPolicy) -> None:
        self._clock, self._policy = clock, policy
        self.direct = isinstance(exchange, TransientFailures) and not exchange.fails_transiently

    def __call__(self, call: Callable[[], Awaitable[T]], what: str) -> Awaitable[T]:
        """The awaitable of `call` (with retries unless direct): a plain function, so a direct call adds
        no coroutine of its own to the exchange's."""
        if self.direct:
            return call()
        return with_retries(call, clock=self._clock, policy=self._policy, what=what)
