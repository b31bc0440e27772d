"""Running the loop as a process: stop signals, a bounded duration, a quiet feed; the venue's clock."""

from __future__ import annotations

import asyncio
import os
import signal
from typing import cast

import pytest

from adapters.binance.server_clock import venue_clock
from adapters.simulated.venue.app import create_venue_app, serve_venue
from adapters.simulated.venue.data import VenueData
from application.trading_loop import TradingLoop
from bootstrap.runtime import run_until_stopped
from ports.errors import ExchangeUnavailable


class StubLoop:
    """The part of TradingLoop the runner drives. Like the loop, it notices a stop request only when a
    market event arrives (`events_every` seconds; None = a feed that went quiet), then runs its stop."""

    def __init__(self, events_every: float | None = 0.01) -> None:
        self.events_every = events_every
        self.stopped_reason: str | None = None
        self.stop_ran = False

    def request_stop(self, reason: str = "stop requested") -> None:
        self.stopped_reason = self.stopped_reason or reason

    async def run_until_feed_ends(self) -> str:
        try:
            if self.events_every is None:
                await asyncio.Event().wait()  # no event ever comes to end the step
            while self.stopped_reason is None:
                await self._next_event()
        finally:
            self.stop_ran = True
        return self.stopped_reason

    async def _next_event(self) -> None:
        await asyncio.sleep(self.events_every or 0)


def run(stub: StubLoop, **kw: float) -> asyncio.Task[str]:
    return asyncio.ensure_future(run_until_stopped(cast(TradingLoop, stub), **kw))


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
async def test_a_stop_signal_stops_the_loop_after_its_step(sig: signal.Signals) -> None:
    stub = StubLoop()
    task = run(stub)
    await asyncio.sleep(0.05)
    os.kill(os.getpid(), sig)
    assert await asyncio.wait_for(task, 5) == f"{sig.name} received"
    assert stub.stop_ran
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL  # handlers are removed afterwards


async def test_the_duration_bounds_the_run() -> None:
    stub = StubLoop()
    assert await asyncio.wait_for(run(stub, duration_sec=0.1), 5) == "duration of 0.1 s reached"


async def test_a_loop_that_ends_by_itself_returns_its_reason() -> None:
    stub = StubLoop()
    stub.request_stop("the market feed ended")
    assert await asyncio.wait_for(run(stub, duration_sec=60), 5) == "the market feed ended"


async def test_a_quiet_feed_is_cancelled_after_the_grace_and_the_stop_still_runs() -> None:
    stub = StubLoop(events_every=None)
    reason = await asyncio.wait_for(run(stub, duration_sec=0.05, grace_sec=0.1), 5)
    assert reason == "duration of 0.05 s reached" and stub.stop_ran


async def test_a_second_signal_stops_at_once() -> None:
    stub = StubLoop(events_every=None)
    task = run(stub, grace_sec=60)
    await asyncio.sleep(0.05)
    os.kill(os.getpid(), signal.SIGINT)
    await asyncio.sleep(0.05)
    assert not task.done()
    os.kill(os.getpid(), signal.SIGINT)
    assert await asyncio.wait_for(task, 5) == "SIGINT received" and stub.stop_ran


async def test_the_venue_clock_is_measured_and_followed(venue_data: VenueData) -> None:
    app = create_venue_app(venue_data, speed=300)
    async with serve_venue(app) as venue:
        measured = await venue_clock(venue.rest_url)
        given = await venue_clock(venue.rest_url, speed=300)
        venue_now = venue.state.clock.now_ms()
        assert measured.speed == given.speed == 300
        for clock in (measured, given):  # within a few hundred ms of venue time (= 1-2 ms of real time)
            assert abs(clock.now_ms() - venue_now) < 1_500


async def test_an_unreachable_venue_is_exchange_unavailable() -> None:
    with pytest.raises(ExchangeUnavailable, match=r"127\.0\.0\.1:9"):
        await venue_clock("http://127.0.0.1:9", speed=60)
