"""Held minutes passed in bulk (held_span.py) change speed only: a run with them gives the trades, equity,
risk events, refusals, acted minutes and simulator orders of a run that acts every held minute in full."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from tests.support.backtest_data import SLICE_START, ScriptedModel, real_slice, settings_for

from adapters.clocks import ReplayClock
from adapters.simulated.costs import SimulatorCosts
from adapters.simulated.exchange import SimulatedExchange
from adapters.simulated.symbol_rules import default_rules_for
from application.backtest.baselines import random_plan
from application.backtest.market_grid import BacktestMarket
from application.backtest.precompute import model_plan
from application.loop_face import LoopFace
from bootstrap import mapping
from bootstrap.backtest_wiring import RunOutcome, run_plan_sync
from bootstrap.mapping import scanner_rules_from, signal_thresholds_from
from domain.features import KlineArrays
from domain.orders import OcoRequest
from domain.time_units import DAY_MS
from domain.time_units import day_start_ms as day_ms
from domain.values import Candle


def _same(fast: RunOutcome, full: RunOutcome, market: BacktestMarket) -> None:
    assert fast.run == full.run  # trades, equity, events, refusals, acted minutes, open positions
    orders = [[o for s in market.symbols for o in run.exchange.engine.all_orders(s)] for run in (fast, full)]
    assert orders[0] == orders[1]
    assert fast.exchange.stats() == full.exchange.stats()


def _both(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Any, market: BacktestMarket,
          plan: Any, first: int) -> tuple[RunOutcome, RunOutcome, int]:
    """The run with held minutes passed in bulk, the run without; how many minutes were passed."""
    passed: list[int] = []
    full_pass = LoopFace.pass_held

    async def counted(loop: LoopFace, times_ms: Sequence[int], bars: Sequence[Sequence[Candle]],
                      equities: Sequence[float]) -> int:
        done = await full_pass(loop, times_ms, bars, equities)
        passed.extend(times_ms[:done])
        return done

    monkeypatch.setattr(LoopFace, "pass_held", counted)
    fast = run_plan_sync(settings, market, plan, tmp_path / "fast", first)
    full = run_plan_sync(settings, market, plan, tmp_path / "full", first, held_skip=False)
    return fast, full, len(passed)


def _jittered(monkeypatch: pytest.MonkeyPatch) -> None:
    """Slippage and latency drawn from the seeded generator: a quiet bar's draw must not be lost."""
    costs = mapping.backtest_simulator_costs
    monkeypatch.setattr(mapping, "backtest_simulator_costs", lambda settings: dataclasses.replace(
        costs(settings), slippage_jitter_bps=Decimal(3), latency_jitter_ms=900))


@pytest.mark.parametrize("risk", [
    {"trailing_stop_enabled": True, "trailing_activation_pct": 0.001, "trailing_distance_pct": 0.001,
     "min_hold_seconds": 120, "default_take_profit_pct": 0.01},
    {"max_daily_loss_pct": 0.004, "max_drawdown_pct": 0.99},  # the daily loss limit stops days early
    {"max_drawdown_pct": 0.006, "max_daily_loss_pct": 0.006, "default_stop_loss_pct": 0.01},  # kill switch
], ids=["trailing-min-hold", "daily-loss", "kill-switch"])
def test_held_minutes_in_bulk_leave_what_full_minutes_leave(tmp_path: Path, shared_data: Path,
                                                             monkeypatch: pytest.MonkeyPatch,
                                                             risk: dict[str, Any]) -> None:
    _jittered(monkeypatch)
    settings = settings_for(tmp_path, risk=risk, timing={"position_timeout_seconds": 600})
    market = BacktestMarket.build(real_slice(shared_data))
    first = market.first_minute_from(day_ms(SLICE_START))
    plan = random_plan(market, signal_thresholds_from(settings), 300.0, seed=11, trade_from_minute=first)
    fast, full, passed = _both(tmp_path, monkeypatch, settings, market, plan, first)
    _same(fast, full, market)
    assert passed > 50
    reasons = {t.exit_reason.value for t in fast.run.trades}
    kinds = {e.kind for e in fast.run.events}
    if risk.get("trailing_stop_enabled"):
        assert {"TRAILING", "TIMEOUT", "TP", "SL"} <= reasons, reasons
    elif risk["max_drawdown_pct"] > 0.5:
        assert "daily_loss_limit" in kinds, kinds
    else:
        assert "kill_switch" in kinds, kinds
    assert any(r.kind == "max_open_positions" for r in fast.run.refusals)


def _wandering(symbols: Sequence[str], days: int, start_ms: int) -> dict[str, KlineArrays]:
    """A seeded random walk (0.1% a bar): positions take profit, stop out, trail and time out."""
    rng, n, out = np.random.default_rng(3), days * 1440, {}
    for i, symbol in enumerate(symbols):
        close = 50.0 * (1 + i) * np.cumprod(1 + rng.normal(0, 0.001, n))
        open_ = np.concatenate(([close[0]], close[:-1]))
        high = np.maximum(open_, close) * (1 + rng.uniform(0, 0.0008, n))
        low = np.minimum(open_, close) * (1 - rng.uniform(0, 0.0008, n))
        times = start_ms + 60_000 * np.arange(n, dtype=np.int64)
        keep = rng.uniform(size=n) > 0.002  # a few gaps
        out[symbol] = KlineArrays(times[keep], open_[keep], high[keep], low[keep], close[keep],
                                  np.full(int(keep.sum()), 1000.0))
    return out


def test_a_synthetic_market_gives_the_same_run_with_and_without(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    _jittered(monkeypatch)
    start = day_ms("2024-01-01")
    settings = settings_for(tmp_path, scanner={"min_volume_24h": 0.0},
                            risk={"trailing_stop_enabled": True, "trailing_activation_pct": 0.0015,
                                  "trailing_distance_pct": 0.001, "min_hold_seconds": 60,
                                  "default_take_profit_pct": 0.0025, "default_stop_loss_pct": 0.003,
                                  "max_daily_loss_pct": 0.99, "max_drawdown_pct": 0.99})
    market = BacktestMarket.build(_wandering(["AAAUSDT", "BBBUSDT"], days=3, start_ms=start))
    first = market.first_minute_from(start + DAY_MS // 2)
    plan = model_plan(market, ScriptedModel(threshold=0.05), scanner_rules_from(settings),
                      signal_thresholds_from(settings), 10, trade_from_minute=first)
    fast, full, passed = _both(tmp_path, monkeypatch, settings, market, plan, first)
    _same(fast, full, market)
    assert passed > 100 and len(fast.run.trades) > 20
    assert {"TRAILING", "TIMEOUT", "TP", "SL"} <= {t.exit_reason.value for t in fast.run.trades}


def test_quiet_bars_in_bulk_leave_the_simulator_as_each_bar_would() -> None:
    def venue() -> SimulatedExchange:
        exchange = SimulatedExchange({"AAAUSDT": default_rules_for("AAAUSDT", 100.0)},
                                     {"USDT": Decimal(0), "AAA": Decimal(1)}, ReplayClock(0),
                                     SimulatorCosts(slippage_jitter_bps=Decimal(4), seed=5))
        exchange.observe_candle(_bar(0, 100.0))
        exchange.engine.place_oco(OcoRequest("AAAUSDT", Decimal(1), Decimal(110), Decimal(90), Decimal(89),
                                             "oco-1"), 60_000)
        return exchange

    bars = [_bar(m, 100.0 + (m % 3)) for m in range(1, 8)]
    one_by_one, in_bulk = venue(), venue()
    assert in_bulk.resting_bounds("AAAUSDT") == (90.0, 110.0)
    assert in_bulk.resting_bounds("BBBUSDT") is None
    for bar in bars:
        one_by_one.observe_candle(bar)
    in_bulk.observe_quiet_bars(bars[-1], len(bars))
    assert one_by_one._rng.getstate() == in_bulk._rng.getstate()
    market, other = one_by_one.engine.market("AAAUSDT"), in_bulk.engine.market("AAAUSDT")
    assert (market.last_price, market.last_time_ms) == (other.last_price, other.last_time_ms)
    assert one_by_one.engine.open_orders() == in_bulk.engine.open_orders()
    assert random.Random(5).getstate() != in_bulk._rng.getstate()  # the draws were made


def _bar(minute: int, close: float) -> Candle:
    return Candle("AAAUSDT", minute * 60_000, close, close + 0.5, close - 0.5, close, 10.0)
