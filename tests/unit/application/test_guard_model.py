"""The model watches itself in the loop: trades that lose what it promised to win close its gate."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pytest
from tests.support.fakes import T0, FakeModel, good, trade_at
from tests.support.harness import LIMITS, SYMBOL, build, config, feed
from tests.support.logs import Logs

from application.guard_model import GuardModel
from domain.model_health import HealthBounds
from domain.position import ExitReason
from domain.signal import Prediction
from domain.values import Side


def promising(expected_pct: float) -> Callable[[str, int], Prediction]:
    return lambda symbol, time_ms: replace(good(symbol, time_ms), expected_net_return_pct=expected_pct)


WATCH = HealthBounds(min_trades=3, window=10, max_shortfall_pct=0.1, t_bound=2.0, drift_features=())


async def test_losing_trades_against_a_confident_promise_close_the_gate_and_say_why(logs: Logs) -> None:
    h = build(model=FakeModel(), loop_config=config(model_health=WATCH),
              limits=replace(LIMITS, cooldown_ms=10_000))  # the fake model promises +0.2% on every signal
    await h.loop.start()
    assert h.loop.model_health is not None and h.loop.model_health.gate_open
    for k in range(3):  # buy at 1.0, stopped out at 0.995: each realises about -0.6% net
        start = T0 + 100 + k * 60_000
        await feed(h, trade_at(SYMBOL, 1.0, start), trade_at(SYMBOL, 0.995, start + 3_000))
    assert [t.exit_reason for t in h.journal.records] == [ExitReason.SL] * 3

    health = h.loop.model_health
    assert health is not None and not health.gate_open
    shortfall = health.verdict.shortfall
    assert shortfall.trades == 3 and shortfall.mean_expected_pct == pytest.approx(0.2)
    (line,) = logs.having("model degraded", "CRITICAL")
    assert line["message"].startswith("model degraded: 3 trades realised -0.")
    assert "%/trade vs expected +0.20% (t=" in line["message"]
    assert line["message"].endswith(": EV gate closed until a restart or the operator reopens it")

    buys = [r for r in h.exchange.orders_placed() if r.side is Side.BUY]
    await feed(h, trade_at(SYMBOL, 1.0, T0 + 300_000))  # a good signal, past the cooldown
    assert [r for r in h.exchange.orders_placed() if r.side is Side.BUY] == buys  # refused
    refusals = logs.having("Signal ABCUSDT refused: model degraded: 3 trades realised -0.", "INFO")
    assert refusals and h.loop.positions.positions == {}  # said once a minute, at DEBUG in between
    await h.loop.stop()


async def test_trades_that_keep_the_promise_leave_the_gate_open() -> None:
    h = build(model=FakeModel(promising(0.1)), loop_config=config(model_health=WATCH),
              limits=replace(LIMITS, cooldown_ms=10_000))
    await h.loop.start()
    for k in range(3):  # buy at 1.0, take profit at 1.003: each realises about +0.1% net, as promised
        start = T0 + 100 + k * 60_000
        await feed(h, trade_at(SYMBOL, 1.0, start), trade_at(SYMBOL, 1.0031, start + 3_000))
    assert [t.exit_reason for t in h.journal.records] == [ExitReason.TP] * 3
    health = h.loop.model_health
    assert health is not None and health.gate_open and health.verdict.shortfall.trades == 3
    await h.loop.stop()


def test_feature_drift_closes_the_gate_and_a_reset_opens_it() -> None:
    guard = GuardModel(HealthBounds(drift_rows=200, drift_features=("b",)), ("a", "b"), "paper")
    rng = np.random.default_rng(5)
    guard.rows_scored(rng.normal(0.0, 1.0, (200, 2)), T0)  # the reference
    guard.rows_scored(rng.normal(5.0, 1.0, (200, 2)), T0 + 59_999)  # within the minute: not kept
    guard.rows_scored(rng.normal(0.0, 1.0, (200, 2)), T0 + 60_000)
    assert guard.gate_closed_reason() is None and guard.health.verdict.psi["b"] < 0.25
    guard.rows_scored(np.column_stack([rng.normal(0.0, 1.0, 200), rng.normal(2.0, 1.0, 200)]), T0 + 120_000)
    reason = guard.gate_closed_reason()
    assert reason is not None and reason.startswith("model degraded: feature drift b PSI=")
    guard.reset()
    assert guard.health.gate_open and guard.health.verdict.psi == {}


def test_the_model_is_not_watched_without_bounds() -> None:
    assert build().loop.model_health is None  # backtests: LoopConfig.model_health is None
