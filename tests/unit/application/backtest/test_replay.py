"""The backtest runs the real trading loop over klines: risk limits, timing of fills, no look-ahead,
reproducibility and the EV gate's plain answer."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path

import numpy as np
from tests.support.backtest_data import (
    SLICE_START,
    ScriptedModel,
    falling_market,
    real_slice,
    settings_for,
)

from application.backtest.market_grid import BacktestMarket
from application.backtest.precompute import model_plan
from application.backtest.summary import NO_EV_REASON
from bootstrap.backtest_wiring import run_backtest, run_plan_sync
from bootstrap.mapping import scanner_rules_from, signal_thresholds_from
from domain.features import KlineArrays
from domain.time_units import DAY_MS
from domain.time_units import day_start_ms as day_ms


def test_forced_losses_trip_the_daily_limit_then_the_kill_switch_and_no_order_follows(tmp_path: Path) -> None:
    start = day_ms("2024-01-01")
    klines = falling_market(["AAAUSDT", "BBBUSDT"], days=3, start_ms=start)
    settings = settings_for(tmp_path, scanner={"min_volume_24h": 0.0},
                            risk={"max_position_pct": 0.5, "max_loss_per_trade_pct": 0.5,
                                  "default_stop_loss_pct": 0.02, "default_take_profit_pct": 0.01,
                                  "max_daily_loss_pct": 0.03, "max_drawdown_pct": 0.06})
    market = BacktestMarket.build(klines)
    first = market.first_minute_from(start + DAY_MS)  # day 1 only warms up the features and the scanner
    plan = model_plan(market, ScriptedModel(threshold=0.3, p_up=0.99), scanner_rules_from(settings),
                      signal_thresholds_from(settings), 10, trade_from_minute=first)
    outcome = run_plan_sync(settings, market, plan, tmp_path / "run", first)

    events = outcome.run.events
    assert events[0].kind == "daily_loss_limit", events
    kills = [e for e in events if e.kind == "kill_switch"]
    assert len(kills) == 1, events
    kill = kills[0]
    assert events[0].time_ms // DAY_MS < kill.time_ms // DAY_MS  # the daily limit stopped day 2 first
    assert all(t.pnl_usdt < 0 for t in outcome.run.trades)
    assert outcome.run.stopped_reason is not None and "kill switch" in outcome.run.stopped_reason
    later_signals = [t for t in plan.signal_minutes() if market.close_ms(int(t)) > kill.time_ms]
    assert later_signals, "the data must go on offering signals after the kill switch"
    engine = outcome.exchange.engine
    orders = [o for s in market.symbols for o in engine.all_orders(s)]
    assert orders and max(o.time_ms for o in orders) <= kill.time_ms
    assert not engine.open_orders()
    assert max(t.exit_time_ms for t in outcome.run.trades) <= kill.time_ms


def test_a_real_slice_gives_the_same_trades_twice(tmp_path: Path, shared_data: Path) -> None:
    settings = settings_for(tmp_path)
    klines = real_slice(shared_data, ("BTCUSDT", "ETHUSDT", "SOLUSDT"))
    runs = [run_backtest(settings, klines, ScriptedModel(), day_ms(SLICE_START), tmp_path / f"r{i}",
                         baselines=False) for i in range(2)]
    first, second = (r.main for r in runs)
    assert len(first.run.trades) >= 5
    assert first.run.trades == second.run.trades
    assert first.run.equity == second.run.equity
    assert (first.folder / "trades.csv").read_bytes() == (second.folder / "trades.csv").read_bytes()


def test_an_entry_fills_at_the_next_bar_open_plus_slippage(tmp_path: Path, shared_data: Path) -> None:
    settings = settings_for(tmp_path)
    klines = real_slice(shared_data, ("BTCUSDT", "SOLUSDT"))
    outcome = run_backtest(settings, klines, ScriptedModel(), day_ms(SLICE_START), tmp_path,
                           baselines=False).main
    slip = Decimal(repr(settings.execution.slippage_bps)) / Decimal(10_000)
    assert outcome.run.trades
    for trade in outcome.run.trades:
        k = klines[trade.symbol]
        bar_open_ms = trade.entry_time_ms // 60_000 * 60_000  # filled within the latency after it opened
        row = int(np.searchsorted(k.open_time_ms, bar_open_ms))
        assert k.open_time_ms[row] == bar_open_ms
        rules = outcome.exchange.engine.rules[trade.symbol]
        expected = rules.round_price(Decimal(repr(float(k.open[row]))) * (1 + slip), direction="up")
        assert Decimal(repr(trade.entry_price)) == expected


def _perturbed_after(klines: dict[str, KlineArrays], cut_ms: int) -> dict[str, KlineArrays]:
    out = {}
    for symbol, k in klines.items():
        after = k.open_time_ms >= cut_ms
        factor = np.where(after, 1 + 0.02 * np.sin(np.arange(len(k))), 1.0)
        wider = np.where(after, 0.01, 0.0)
        out[symbol] = dataclasses.replace(k, open=k.open * factor, high=k.high * factor * (1 + wider),
                                          low=k.low * factor * (1 - wider), close=k.close * factor,
                                          volume=np.where(after, k.volume * 3, k.volume))
    return out


def test_no_decision_at_or_before_a_minute_depends_on_a_later_bar(tmp_path: Path, shared_data: Path) -> None:
    settings = settings_for(tmp_path)
    klines = real_slice(shared_data, ("ETHUSDT", "XRPUSDT", "BNBUSDT"))
    start = day_ms(SLICE_START)
    cut_ms = start + 20 * 3_600_000 + 17 * 60_000  # a bar that opens mid-slice
    results = []
    for data, name in ((klines, "original"), (_perturbed_after(klines, cut_ms), "perturbed")):
        market = BacktestMarket.build(data)
        first = market.first_minute_from(start)
        plan = model_plan(market, ScriptedModel(), scanner_rules_from(settings),
                          signal_thresholds_from(settings), 10, trade_from_minute=first)
        results.append((market, plan, run_plan_sync(settings, market, plan, tmp_path / name, first)))
    (market, plan, run), (_, plan2, run2) = results
    t = market.first_minute_from(cut_ms) - 1  # the last minute whose bars close before the change
    seen = plan.minute <= t
    assert seen.sum() > 100 and (~seen).sum() > 100
    for column in ("minute", "symbol", "probability", "passes"):
        np.testing.assert_array_equal(getattr(plan, column)[seen], getattr(plan2, column)[plan2.minute <= t])
    decided_by = market.close_ms(t) + 1_000  # an entry decided at t is sent within its latency
    before = [(x.symbol, x.entry_time_ms) for x in run.run.trades if x.entry_time_ms <= decided_by]
    assert before and before == [(x.symbol, x.entry_time_ms) for x in run2.run.trades
                                 if x.entry_time_ms <= decided_by]
    closed = [x for x in run.run.trades if x.exit_time_ms <= market.close_ms(t)]
    assert closed == [x for x in run2.run.trades if x.exit_time_ms <= market.close_ms(t)]
    assert run.run.trades != run2.run.trades  # the later bars did change what came after


def test_when_no_expected_value_clears_the_margin_the_summary_says_so(tmp_path: Path,
                                                                       shared_data: Path) -> None:
    settings = settings_for(tmp_path)
    klines = real_slice(shared_data, ("BTCUSDT",))
    result = run_backtest(settings, klines, ScriptedModel(net=-0.05), day_ms(SLICE_START), tmp_path,
                          baselines=False)
    assert result.main.run.trades == ()
    assert result.main.summary.no_trade_reason == NO_EV_REASON
    assert NO_EV_REASON == "no trade: the model found no positive expected value after costs"
