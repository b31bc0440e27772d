"""A replay's equity never depends on which symbols the loop happens to watch: the dust is valued at the
recorded market's close of the minute replayed, not at the last price the loop saw of it."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

from tests.support.backtest_data import ScriptedModel, falling_market, settings_for

from application.backtest.market_grid import BacktestMarket
from application.backtest.precompute import model_plan
from bootstrap.backtest_wiring import run_plan_sync
from bootstrap.mapping import scanner_rules_from, signal_thresholds_from
from domain.time_units import DAY_MS
from domain.time_units import day_start_ms as day_ms


def test_the_dust_left_is_worth_the_last_close_of_the_data(tmp_path: Path) -> None:
    start = day_ms("2024-01-01")
    klines = falling_market(["AAAUSDT", "BBBUSDT"], days=3, start_ms=start)
    for k in klines.values():  # the day after the last signal: the price keeps moving, nothing is watched
        k.close[-1440:] *= 1.5
    settings = settings_for(tmp_path, scanner={"min_volume_24h": 0.0}, risk={"max_trades_per_day": 3})
    market = BacktestMarket.build(klines)
    first = market.first_minute_from(start + DAY_MS)
    last_signal = market.first_minute_from(start + 2 * DAY_MS) - 1
    plan = model_plan(market, ScriptedModel(threshold=0.3, p_up=0.99), scanner_rules_from(settings),
                      signal_thresholds_from(settings), 10, trade_from_minute=first)
    plan = dataclasses.replace(plan, passes=plan.passes & (plan.minute <= last_signal))
    outcome = run_plan_sync(settings, market, plan, tmp_path / "run", first)
    assert outcome.run.trades and not outcome.run.open_positions
    balances = asyncio.run(outcome.exchange.balances())
    held = {s: float(balances[s[:-4]].total) for s in klines if s[:-4] in balances}
    assert any(held.values())
    worth = sum(q * float(klines[s].close[-1]) for s, q in held.items())
    assert abs(outcome.summary.dust_usdt - worth) < 1e-9
