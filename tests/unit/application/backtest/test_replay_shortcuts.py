"""The replay's shortcuts change speed only: a run with them gives the trades, equity, risk events and
refusals of a run where every acted minute is a full tick of the loop."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from tests.support.backtest_data import SLICE_START, real_slice, settings_for

from application.backtest.baselines import random_plan
from application.backtest.market_grid import BacktestMarket
from application.backtest.replay import BacktestRun
from application.trading_loop import TradingLoop
from bootstrap.backtest_wiring import run_plan_sync
from bootstrap.mapping import signal_thresholds_from
from domain.time_units import day_start_ms as day_ms


def _capped_run(tmp_path: Path, shared_data: Path, name: str) -> BacktestRun:
    settings = settings_for(tmp_path, risk={"max_trades_per_day": 12, "max_trades_per_hour": 3,
                                            "max_daily_loss_pct": 0.99, "max_drawdown_pct": 0.99})
    market = BacktestMarket.build(real_slice(shared_data))
    first = market.first_minute_from(day_ms(SLICE_START))
    plan = random_plan(market, signal_thresholds_from(settings), 400.0, seed=7, trade_from_minute=first)
    return run_plan_sync(settings, market, plan, tmp_path / name, first).run


def test_quiet_minutes_leave_what_full_ticks_leave(tmp_path: Path, shared_data: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    quiet: list[int] = []
    full_quiet_tick = TradingLoop.quiet_tick

    async def counted(loop: TradingLoop, now_ms: int, equity: float | None = None) -> bool:
        quiet.append(now_ms)
        return await full_quiet_tick(loop, now_ms, equity)

    full_quiet_marks = TradingLoop.quiet_marks

    def marked(loop: TradingLoop, times_ms: Sequence[int], equities: Sequence[float]) -> int:
        done = full_quiet_marks(loop, times_ms, equities)
        quiet.extend(times_ms[:done])  # the instants marked in one call: quiet ticks all the same
        return done

    monkeypatch.setattr(TradingLoop, "quiet_tick", counted)
    monkeypatch.setattr(TradingLoop, "quiet_marks", marked)
    fast = _capped_run(tmp_path, shared_data, "fast")
    monkeypatch.setattr(TradingLoop, "quiet_until", lambda _loop, _now: None)
    full = _capped_run(tmp_path, shared_data, "full")
    assert len(quiet) > 100  # the caps blocked many signal minutes
    kinds = {r.kind for r in fast.refusals}
    assert {"max_trades_per_day", "max_trades_per_hour"} <= kinds, kinds
    assert (fast.trades, fast.equity, fast.events, fast.refusals, fast.acted_minutes) == \
        (full.trades, full.equity, full.events, full.refusals, full.acted_minutes)
