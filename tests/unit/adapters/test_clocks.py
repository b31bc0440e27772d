"""SystemClock tells real UTC milliseconds; ReplayClock only moves forward and never waits."""

from __future__ import annotations

import asyncio
import time

import pytest

from adapters.clocks import ReplayClock, SystemClock
from ports.clock import Clock


def test_system_clock_is_wall_time_in_integer_milliseconds() -> None:
    clock: Clock = SystemClock()
    before = time.time() * 1000
    now = clock.now_ms()
    after = time.time() * 1000
    assert isinstance(now, int)
    assert before - 1 <= now <= after + 1


async def test_system_clock_sleep_really_waits() -> None:
    clock = SystemClock()
    started = time.monotonic()
    await clock.sleep(0.02)
    assert time.monotonic() - started >= 0.015


def test_replay_clock_starts_where_told_and_advances() -> None:
    clock: Clock = ReplayClock(1_000)
    assert clock.now_ms() == 1_000
    replay = ReplayClock(1_000)
    replay.advance_to(61_000)
    replay.advance_to(61_000)  # the same instant is fine (events sharing a timestamp)
    assert replay.now_ms() == 61_000


def test_replay_clock_refuses_to_go_back() -> None:
    clock = ReplayClock(10_000)
    with pytest.raises(ValueError, match="cannot go back"):
        clock.advance_to(9_999)
    assert clock.now_ms() == 10_000


async def test_replay_sleep_advances_virtual_time_without_waiting() -> None:
    clock = ReplayClock(0)
    started = time.monotonic()
    await clock.sleep(3600)
    await clock.sleep(0.0015)  # rounds up: never wakes before the deadline
    assert clock.now_ms() == 3_600_002
    assert time.monotonic() - started < 0.5


async def test_replay_sleep_lets_other_tasks_run() -> None:
    clock = ReplayClock(0)
    ran: list[int] = []

    async def other() -> None:
        ran.append(clock.now_ms())

    task = asyncio.create_task(other())
    await clock.sleep(1)
    assert ran == [1000]
    await task


async def test_a_replay_clock_that_does_not_yield_keeps_the_turn() -> None:
    clock = ReplayClock(0, yields=False)  # a backtest: one chain of coroutines, no task beside it
    ran: list[int] = []

    async def other() -> None:
        ran.append(clock.now_ms())

    task = asyncio.create_task(other())
    await clock.sleep(1)
    assert ran == [] and clock.now_ms() == 1000
    await task
    assert ran == [1000]


async def test_replay_sleep_of_zero_or_less_does_not_move_time() -> None:
    clock = ReplayClock(5)
    await clock.sleep(0)
    await clock.sleep(-3)
    assert clock.now_ms() == 5
    with pytest.raises(ValueError):
        await clock.sleep(float("nan"))
