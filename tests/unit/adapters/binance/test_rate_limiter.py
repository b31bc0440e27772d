"""The client-side rate limiter on a fake clock: it holds requests before the limit, follows the server's
headers, pauses on 429 and stops on 418."""

from __future__ import annotations

import pytest
from tests.support.clocks import ManualClock as ManualClock

from adapters.binance.parse_orders import RateLimit
from adapters.binance.rate_limiter import ORDERS, REQUEST_WEIGHT, RateLimiter
from ports.errors import RateLimited

LIMITS = [RateLimit(REQUEST_WEIGHT, 1_000, 100), RateLimit(ORDERS, 1_000, 10)]


def limiter(clock: ManualClock) -> RateLimiter:
    return RateLimiter(clock, limits=LIMITS, safety=0.8, guard_ms=20)


async def test_requests_under_the_budget_do_not_wait() -> None:
    clock = ManualClock()
    rl = limiter(clock)
    for _ in range(20):
        await rl.acquire(4)
    assert clock.slept == []
    assert rl.used(REQUEST_WEIGHT, 1_000) == 80


async def test_a_burst_never_puts_more_than_the_budget_in_one_window() -> None:
    clock = ManualClock()
    rl = limiter(clock)
    per_window: dict[int, int] = {}
    for _ in range(100):
        await rl.acquire(7)
        window = clock.now // 1_000
        per_window[window] = per_window.get(window, 0) + 7
    assert max(per_window.values()) <= 80  # 80% of the 100 limit
    assert len(per_window) >= 100 * 7 // 80  # it slowed down instead of refusing


async def test_order_count_is_limited_separately_from_weight() -> None:
    clock = ManualClock()
    rl = limiter(clock)
    start = clock.now
    for _ in range(8):
        await rl.acquire(1, orders=1)
    assert clock.now == start
    await rl.acquire(1, orders=1)  # the 9th order goes into the next second
    assert clock.now // 1_000 > start // 1_000


async def test_server_header_counts_weight_others_used() -> None:
    clock = ManualClock(1_700_000_000_100)
    rl = limiter(clock)
    rl.observe({"X-MBX-USED-WEIGHT-1S": "79", "Content-Type": "application/json"})
    await rl.acquire(2)
    assert clock.slept, "79 used by the server: 2 more would pass the 80 budget"


async def test_header_from_a_request_sent_in_an_earlier_window_is_ignored() -> None:
    clock = ManualClock(1_700_000_000_990)
    rl = limiter(clock)
    sent = clock.now
    clock.now += 20  # the answer arrives in the next window
    rl.observe({"x-mbx-used-weight-1s": "80"}, sent_at_ms=sent)
    assert rl.used(REQUEST_WEIGHT, 1_000) == 0


async def test_header_never_lowers_the_local_count() -> None:
    clock = ManualClock()
    rl = limiter(clock)
    await rl.acquire(30)
    rl.observe({"X-MBX-USED-WEIGHT-1S": "10"})
    assert rl.used(REQUEST_WEIGHT, 1_000) == 30


async def test_429_pauses_every_request_for_retry_after() -> None:
    clock = ManualClock()
    rl = limiter(clock)
    start = clock.now
    rl.back_off(3)
    await rl.acquire(1)
    assert clock.now - start >= 3_000


async def test_418_stops_requests_until_the_ban_ends() -> None:
    clock = ManualClock()
    rl = limiter(clock)
    rl.ban(120)
    with pytest.raises(RateLimited) as caught:
        await rl.acquire(1)
    assert caught.value.banned
    assert 119 <= caught.value.retry_after <= 120
    clock.now += 120_000
    await rl.acquire(1)


async def test_a_request_heavier_than_the_budget_goes_alone_in_a_fresh_window() -> None:
    clock = ManualClock()
    rl = limiter(clock)
    await rl.acquire(1)
    await rl.acquire(95)
    assert clock.slept
    assert rl.used(REQUEST_WEIGHT, 1_000) == 95


async def test_configure_replaces_the_limits() -> None:
    clock = ManualClock()
    rl = limiter(clock)
    rl.configure([RateLimit(REQUEST_WEIGHT, 60_000, 6000)])
    for _ in range(100):
        await rl.acquire(20)
    assert clock.slept == []


def test_safety_must_be_a_fraction() -> None:
    with pytest.raises(ValueError, match="safety"):
        RateLimiter(ManualClock(), safety=1.5)


async def test_reconfiguring_keeps_what_was_already_spent() -> None:
    """exchangeInfo arrives after time + exchangeInfo were spent: the published windows start from them."""
    clock = ManualClock()
    rl = RateLimiter(clock, limits=[RateLimit(REQUEST_WEIGHT, 60_000, 6000)], safety=1.0)
    await rl.acquire(21)
    rl.configure([RateLimit(REQUEST_WEIGHT, 60_000, 6000), RateLimit(REQUEST_WEIGHT, 1_000, 40)])
    assert rl.used(REQUEST_WEIGHT, 60_000) == 21  # the same window keeps its count
    assert rl.used(REQUEST_WEIGHT, 1_000) == 21  # a shorter new one starts from the longer one's count
    await rl.acquire(20)  # 41 > 40 in this second: held to the next one
    assert clock.slept and rl.used(REQUEST_WEIGHT, 1_000) == 20
