"""Nothing crashes the loop: exchange errors, corrupt events, a failing journal, a dropped feed."""

from __future__ import annotations

from decimal import Decimal

import pytest
from tests.support.fakes import T0, FakeModel, good_until, history, trade_at
from tests.support.harness import SYMBOL, build, feed
from tests.support.logs import Logs

from domain.market_events import CandleUpdated
from domain.position import ExitReason
from domain.values import Side
from ports.errors import (
    AuthenticationFailed,
    ConfigurationError,
    ExchangeUnavailable,
    InsufficientBalance,
    OrderRejected,
    RateLimited,
)


def buys(h) -> int:  # type: ignore[no-untyped-def]
    return sum(1 for r in h.exchange.orders_placed() if r.side is Side.BUY)


async def test_a_long_rate_limit_pauses_exchange_work_then_trading_resumes(logs: Logs) -> None:
    h = build()
    await h.loop.start()
    h.exchange.fail_next("place_order", RateLimited("Too many requests", retry_after=30.0))
    await feed(h, trade_at(SYMBOL, 1.0, T0 + 100))
    assert logs.having("Rate limited during entry", "WARNING") and buys(h) == 0
    calls = len(h.exchange.calls)
    await feed(h, trade_at(SYMBOL, 1.0, T0 + 10_000))  # still paused: not one exchange call
    assert len(h.exchange.calls) == calls
    await feed(h, trade_at(SYMBOL, 1.0, T0 + 31_000))
    assert buys(h) == 1 and SYMBOL in h.loop.positions.positions


async def test_unavailable_exchange_is_retried_with_backoff_then_skipped_until_next_scan(logs: Logs) -> None:
    h = build()
    await h.loop.start()
    h.exchange.fail_next("place_order", *(ExchangeUnavailable("502 Bad Gateway") for _ in range(3)))
    await feed(h, trade_at(SYMBOL, 1.0, T0 + 100))
    assert h.clock.slept == [0.5, 1.0] and buys(h) == 0  # the use case's own bounded retries
    assert logs.having("502 Bad Gateway", "ERROR")
    calls = len(h.exchange.calls)
    await feed(h, trade_at(SYMBOL, 1.0, T0 + 2_000))  # then the loop backs off (1 s, doubling)
    assert len(h.exchange.calls) == calls
    await feed(h, trade_at(SYMBOL, 1.0, T0 + 5_000))
    assert buys(h) == 1


async def test_a_rejected_order_skips_its_signal_only(logs: Logs) -> None:
    h = build()
    await h.loop.start()
    h.exchange.fail_next("place_order", OrderRejected("Filter failure: PERCENT_PRICE_BY_SIDE", code=-1013))
    await feed(h, trade_at(SYMBOL, 1.0, T0 + 100))
    assert logs.having("Order failed", "ERROR") and buys(h) == 0
    await feed(h, trade_at(SYMBOL, 1.0, T0 + 2_500))
    assert buys(h) == 1


async def test_insufficient_balance_skips_and_resyncs_balances(logs: Logs) -> None:
    h = build()
    await h.loop.start()
    h.exchange.fail_next("place_order", InsufficientBalance("Account has insufficient balance", code=-2010))
    await feed(h, trade_at(SYMBOL, 1.0, T0 + 100))
    balance_reads = h.exchange.calls.count("balances")
    await feed(h, trade_at(SYMBOL, 1.0, T0 + 200))  # no scan yet, but the resync happens
    assert h.exchange.calls.count("balances") > balance_reads
    assert logs.having("Insufficient balance", "WARNING")


@pytest.mark.parametrize("error", [RateLimited("IP banned until ...", retry_after=120.0, banned=True),
                                   AuthenticationFailed("Invalid API-key, IP, or permissions", code=-2015)])
async def test_a_ban_or_bad_credentials_halt_safely_keeping_the_oco(error: Exception, logs: Logs) -> None:
    h = build(model=FakeModel(good_until(T0 + 1_000)))
    await h.loop.start()
    await feed(h, trade_at(SYMBOL, 1.0, T0 + 100))
    assert SYMBOL in h.loop.positions.positions
    h.exchange.fail_next("get_order_list", error)
    await feed(h, trade_at(SYMBOL, 1.0005, T0 + 1_500))
    assert h.loop.stopped and "halted" in (h.loop.stopped_reason or "")
    assert logs.having("Trading halted", "CRITICAL")
    requests = len(h.exchange.requests)
    await feed(h, trade_at(SYMBOL, 1.0005, T0 + 9_000))
    await h.loop.stop()
    assert len(h.exchange.requests) == requests and "cancel_order_list" not in h.exchange.calls
    assert await h.exchange.open_orders()  # the OCO still protects the position


async def test_corrupt_and_malformed_events_are_skipped(logs: Logs) -> None:
    h = build()
    await h.loop.start()
    corrupt = history(SYMBOL, T0, 1)[0]
    object.__setattr__(corrupt, "low", float("nan"))
    object.__setattr__(corrupt, "close", -1.0)
    for junk in ({"e": "kline", "k": None}, CandleUpdated(corrupt), None):
        await h.loop.step(junk)  # type: ignore[arg-type]
    assert len(logs.having("Market event skipped", "WARNING")) == 3
    await feed(h, trade_at(SYMBOL, 1.0, T0 + 100))
    assert SYMBOL in h.loop.positions.positions  # the loop went on


async def test_a_failing_journal_loses_no_trade(logs: Logs) -> None:
    h = build(model=FakeModel(good_until(T0 + 1_000)))
    await h.loop.start()
    await feed(h, trade_at(SYMBOL, 1.0, T0 + 100))
    h.journal.fail_writes = 2
    await feed(h, trade_at(SYMBOL, 1.0031, T0 + 2_000))  # TP: the write fails, then fails again
    assert h.journal.records == [] and len(h.loop.account.unjournaled) == 1
    assert logs.having("Trade journal write failed", "ERROR")
    await feed(h, trade_at(SYMBOL, 1.0031, T0 + 3_000))
    assert [t.exit_reason for t in h.journal.records] == [ExitReason.TP]
    assert not h.loop.account.unjournaled


async def test_run_until_feed_ends_survives_a_dropped_feed_and_stops_cleanly() -> None:
    h = build(model=FakeModel(good_until(T0 + 3_000)))
    h.feed.failures = [ExchangeUnavailable("connection reset")]  # the reconnection waits 2 s (clock)
    h.feed.script = [trade_at(SYMBOL, 1.0, T0 + 2_100), trade_at(SYMBOL, 1.0031, T0 + 4_000)]
    reason = await h.loop.run_until_feed_ends()
    assert reason == "the market feed ended"
    assert [t.exit_reason for t in h.journal.records] == [ExitReason.TP]
    assert not h.exchange.entered and not h.feed.entered
    assert h.clock.slept[:1] == [2]  # reconnect back-off through the clock


async def test_stop_requested_mid_run_keeps_positions_protected_and_reports_them(logs: Logs) -> None:
    h = build(model=FakeModel(good_until(T0 + 1_000)))
    h.feed.script = [trade_at(SYMBOL, 1.0, T0 + 100), "stop", trade_at(SYMBOL, 1.0031, T0 + 2_000)]
    original_step = h.loop.step

    async def step(event):  # type: ignore[no-untyped-def]
        if event == "stop":
            h.loop.request_stop("operator pressed Ctrl-C")
            return
        await original_step(event)

    h.loop.step = step  # type: ignore[method-assign]
    assert await h.loop.run_until_feed_ends() == "operator pressed Ctrl-C"
    assert h.journal.records == [] and h.feed.script  # the last event was never processed
    assert logs.having("Still open at stop: ABCUSDT", "WARNING")
    assert len(await h.exchange.open_orders()) == 2 and h.exchange.free["USDT"] == Decimal("80")


async def test_a_model_for_other_features_is_refused_before_trading() -> None:
    class OtherModel(FakeModel):
        @property
        def feature_names(self):  # type: ignore[no-untyped-def]
            return ("rsi_14", "macd")

    h = build(model=OtherModel())
    with pytest.raises(ConfigurationError, match="expects features"):
        await h.loop.start()
    assert not h.exchange.entered and h.exchange.requests == []
