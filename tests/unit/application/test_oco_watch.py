"""When an OCO is polled: every interval without a stream; with one, only after the market has been through
a leg for a whole interval without an event saying so; at once when a reconcile asks."""

from __future__ import annotations

from application.oco_watch import OcoWatch
from domain.position import ExitReason

S = "ABCUSDT"


def test_without_a_stream_every_interval() -> None:
    watch = OcoWatch(1_000)
    watch.opened(S, 0)
    assert not watch.due(S, None, 999) and watch.due(S, None, 1_000)
    watch.polled(S, 1_000)
    assert not watch.due(S, ExitReason.TP, 1_500) and watch.due(S, None, 2_000)


def test_with_a_stream_only_when_the_market_went_through_a_leg_for_an_interval() -> None:
    watch = OcoWatch(1_000)
    watch.opened(S, 0)
    watch.polling = False
    assert not watch.due(S, None, 60_000)  # the stream tells: never asked
    assert not watch.due(S, ExitReason.SL, 61_000)  # through the stop: the event should come now
    assert not watch.due(S, ExitReason.SL, 61_900)
    assert watch.due(S, ExitReason.SL, 62_000)  # a whole interval without it: lost on the way
    watch.polled(S, 62_000)
    assert not watch.due(S, ExitReason.SL, 62_500) and watch.due(S, ExitReason.SL, 63_000)
    assert not watch.due(S, None, 70_000)  # back inside the legs: the clock starts again
    assert not watch.due(S, ExitReason.TP, 70_500) and watch.due(S, ExitReason.TP, 71_500)


def test_a_requested_poll_comes_at_once_stream_or_not() -> None:
    watch = OcoWatch(1_000)
    watch.opened(S, 0)
    watch.polling = False
    watch.request(S)
    assert watch.due(S, None, 10)
    watch.polled(S, 10)
    assert not watch.due(S, None, 20)
