"""Retrain's rule (issue 16 item 8): a planted better challenger is promoted, a worse one is refused, and a
challenger never closes a gate the current model keeps open."""

from __future__ import annotations

import numpy as np
import pytest

from application.research.compare_models import Contender, compare_models
from domain.lab_gate import GateThresholds
from domain.statistics.trust import Costing, Trades
from domain.time_units import DAY_MS

DAYS = 56  # eight weeks: the interval is clustered by week
T0 = 1_767_225_600_000  # 2026-01-01
CALENDAR = np.arange(T0 // DAY_MS, T0 // DAY_MS + DAYS, dtype=np.int64)
COSTING = Costing(round_trip_pct=0.2, maker_entry=False, slippage_pct=0.02)


def trades(mean_pct: float, per_day: int = 6, seed: int = 1) -> Trades:
    rng = np.random.default_rng(seed)
    n = DAYS * per_day
    time = T0 + np.repeat(np.arange(DAYS), per_day) * DAY_MS + np.tile(np.arange(per_day), DAYS) * 3_600_000
    net = mean_pct + rng.normal(0, 0.3, n)
    return Trades(net, time.astype(np.int64), np.full(n, "w", dtype=np.str_))


def contender(name: str, mean_pct: float, seed: int) -> Contender:
    return Contender(name, trades(mean_pct, seed=seed), trades(-0.2, per_day=24, seed=99), COSTING)


def test_a_planted_better_challenger_is_promoted_and_its_gate_judged() -> None:
    result = compare_models(contender("challenger", 0.25, 1), contender("current", -0.2, 2), CALENDAR,
                            GateThresholds(), min_trades=30, current_gate_open=False)
    assert result.promote, result.reason
    assert result.challenger.ci_low > 0 > result.current.ci_low
    assert result.reason.startswith("promoted the challenger: interval low +0.")
    assert result.challenger.evidence.trades == DAYS * 6


def test_a_worse_challenger_is_refused_with_its_numbers() -> None:
    result = compare_models(contender("challenger", -0.2, 1), contender("current", 0.25, 2), CALENDAR,
                            GateThresholds(), min_trades=30, current_gate_open=False)
    assert not result.promote
    assert "is not above the current model's" in result.reason
    assert f"{result.challenger.ci_low:+.4f}%" in result.reason


def test_a_model_that_never_trades_loses_to_any_defined_interval_but_few_trades_do_not_count() -> None:
    silent = Contender("current", trades(0.0, per_day=0), trades(-0.2, per_day=24, seed=99), COSTING)
    result = compare_models(contender("challenger", -0.05, 1), silent, CALENDAR, GateThresholds(),
                            min_trades=30, current_gate_open=False)
    assert result.promote and result.current.trust is None
    assert not result.challenger.gate.open  # promoted, but its own gate stays closed: it loses money
    few = compare_models(contender("challenger", 0.25, 1), silent, CALENDAR, GateThresholds(),
                         min_trades=DAYS * 6 + 1, current_gate_open=False)
    assert not few.promote and f"took {DAYS * 6} trades (< {DAYS * 6 + 1})" in few.reason


@pytest.mark.parametrize("current_open", [True, False])
def test_a_challenger_never_closes_an_open_gate(current_open: bool) -> None:
    strict = GateThresholds(min_deflated_sharpe=1.0)  # no challenger can pass
    result = compare_models(contender("challenger", 0.25, 1), contender("current", -0.2, 2), CALENDAR, strict,
                            min_trades=30, current_gate_open=current_open)
    assert result.promote is not current_open
