"""Client ids and the bounded retry of one exchange call."""

from __future__ import annotations

import pytest
from tests.support.fakes import ManualClock

from adapters.simulated.exchange import SimulatedExchange
from application.exchange_calls import CLIENT_ID_PATTERN, ExchangeCalls, client_order_id, with_retries
from application.trading_config import RetryPolicy
from ports.errors import ClockSkew, ExchangeUnavailable, OrderRejected, RateLimited

POLICY = RetryPolicy(attempts=3, first_delay_s=0.5, max_delay_s=4.0, max_rate_limit_wait_s=10.0)


def test_client_ids_are_deterministic_legal_and_distinct() -> None:
    first = client_order_id("e", "BTCUSDT", 1_700_000_000_000)
    assert first == client_order_id("e", "BTCUSDT", 1_700_000_000_000) == "cse-BTCUSDT-1700000000000"
    long_symbol = client_order_id("x", "1000SATSUSDTLONGNAME", 1_700_000_000_000, attempt=12)
    others = {client_order_id("e", "BTCUSDT", 1_700_000_000_001),
              client_order_id("o", "BTCUSDT", 1_700_000_000_000),
              client_order_id("e", "BTCUSDT", 1_700_000_000_000, attempt=1), long_symbol}
    assert first not in others and len(others) == 4
    for cid in (first, *others, client_order_id("e", "WEIRD SYMBOL!", 1)):
        assert CLIENT_ID_PATTERN.match(cid), cid
        assert len(cid) <= 36


def test_client_ids_built_fast_are_the_ones_the_pattern_allows() -> None:
    import hashlib
    cases = (("e", "BTCUSDT", 1_700_000_000_000, 0), ("x", "ETHUSDT", 5, 3),
             ("x", "1000SATSUSDTLONGNAME", 1_700_000_000_000, 12), ("o", "WEIRD SYMBOL!", 1, 0),
             ("e", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", 1, 0))  # legal, too long, illegal, legal prefix too long
    for kind, symbol, time_ms, attempt in cases:
        readable = f"cs{kind}-{symbol}-{time_ms}" + (f"-{attempt}" if attempt else "")
        hashed = f"cs{kind}-" + hashlib.sha256(readable.encode()).hexdigest()[:36 - 3 - len(kind)]
        expected = readable if CLIENT_ID_PATTERN.match(readable) else hashed
        assert client_order_id(kind, symbol, time_ms, attempt) == expected  # asked twice: the cache too
        assert client_order_id(kind, symbol, time_ms, attempt) == expected


class Flaky:
    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "done"


async def test_transient_failures_are_retried_with_a_growing_pause_on_the_clock() -> None:
    clock = ManualClock()
    call = Flaky(ExchangeUnavailable("502"), ClockSkew("-1021"))
    assert await with_retries(call, clock=clock, policy=POLICY, what="test") == "done"
    assert call.calls == 3 and clock.slept == [0.5, 1.0]


async def test_retries_are_bounded_and_the_last_error_goes_up() -> None:
    clock = ManualClock()
    call = Flaky(*(ExchangeUnavailable(f"down {i}") for i in range(5)))
    with pytest.raises(ExchangeUnavailable, match="down 2"):
        await with_retries(call, clock=clock, policy=POLICY, what="test")
    assert call.calls == 3


async def test_a_short_rate_limit_waits_retry_after_a_long_one_or_a_ban_goes_to_the_loop() -> None:
    clock = ManualClock()
    assert await with_retries(Flaky(RateLimited("429", retry_after=2.0)), clock=clock, policy=POLICY,
                              what="t") == "done"
    assert clock.slept == [2.0]
    for error in (RateLimited("429", retry_after=60.0), RateLimited("418", retry_after=1.0, banned=True)):
        call = Flaky(error)
        with pytest.raises(RateLimited):
            await with_retries(call, clock=clock, policy=POLICY, what="t")
        assert call.calls == 1


async def test_rejections_are_never_retried() -> None:
    call = Flaky(OrderRejected("Filter failure: NOTIONAL"))
    with pytest.raises(OrderRejected):
        await with_retries(call, clock=ManualClock(), policy=POLICY, what="t")
    assert call.calls == 1


class Steady:
    """An exchange that declares it never fails transiently (as the simulator does)."""

    fails_transiently = False


class Shaky:
    fails_transiently = True


async def test_an_exchange_that_cannot_fail_transiently_is_called_once_without_the_retry_loop() -> None:
    clock = ManualClock()
    direct = ExchangeCalls(Steady(), clock, POLICY)
    assert direct.direct
    call = Flaky(ExchangeUnavailable("cannot happen here, so it goes straight up"))
    with pytest.raises(ExchangeUnavailable):
        await direct(call, "t")
    assert call.calls == 1 and clock.slept == []
    assert await direct(Flaky(), "t") == "done"


async def test_an_exchange_that_may_fail_or_does_not_say_keeps_the_retries() -> None:
    for exchange in (Shaky(), object()):
        clock = ManualClock()
        calls = ExchangeCalls(exchange, clock, POLICY)
        call = Flaky(ExchangeUnavailable("502"))
        assert not calls.direct
        assert await calls(call, "t") == "done"
        assert call.calls == 2 and clock.slept == [0.5]


def test_the_simulator_says_it_cannot_fail_transiently() -> None:
    exchange = SimulatedExchange({}, {}, ManualClock())
    assert ExchangeCalls(exchange, ManualClock(), POLICY).direct
