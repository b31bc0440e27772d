"""The compiled research core makes the real trading loop's trades: same trades, same PnL to the cent.

Each case runs one plan twice, through `run_plan_sync` (the TradingLoop, SimulatedExchange, risk book)
and through the core (adapters.kernels, domain.research_core), and compares trade by trade: symbol,
entry and exit times to the millisecond, exit reason, entry and exit prices exactly, quantity, net PnL
to the cent. The cases exercise stop-loss, take-profit, timeout, trailing-stop and kill-switch exits,
`max_open_positions`, the cooldown, the daily loss limit, the watchlist's room, taker take-profits and
the BNB discount. Parity domain (what is not mirrored, and so kept out of these plans): see
tests/support/core_parity.py; in short taker entries, no jitter, full fills, gap-free slices, sizes
well above the minimum notional (no partial fills, no unsellable remainders).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.conftest import SAMPLE_KLINES
from tests.support.backtest_data import settings_for
from tests.support.core_parity import both, differences, most_open_at_once, scored_plan

from adapters.history.klines import load_klines
from application.backtest.baselines import random_plan, scanner_plan
from application.backtest.market_grid import BacktestMarket
from bootstrap.mapping import scanner_rules_from, signal_thresholds_from
from domain.position import ExitReason
from domain.time_units import day_start_ms

SAMPLE_FIRST = 1440  # the sample's first day warms up the scanner's 24 h window
SHARED_FILE = "freqtrade_userdata/binance_spot_1m_2020-05-21_2020-06-20_18pairs.csv.xz"


@pytest.fixture(scope="module")
def sample_market() -> BacktestMarket:
    return BacktestMarket.build(load_klines(SAMPLE_KLINES, None, None, None))


def _reasons(trades: list[Any]) -> set[ExitReason]:
    return {t.exit_reason for t in trades}


def test_random_entries_with_three_open_and_a_cooldown_match_the_loop(tmp_path: Path,
                                                                       sample_market: BacktestMarket) -> None:
    settings = settings_for(tmp_path, risk={"max_open_positions": 3, "cooldown_seconds": 300})
    plan = random_plan(sample_market, signal_thresholds_from(settings), 200, seed=7,
                       trade_from_minute=SAMPLE_FIRST)
    core, loop, _, _ = both(settings, sample_market, plan, SAMPLE_FIRST, tmp_path / "run")

    assert not differences(core, loop), differences(core, loop)[:3]
    assert {ExitReason.SL, ExitReason.TP, ExitReason.TIMEOUT} <= _reasons(loop)
    assert most_open_at_once(loop) == 3  # max_open_positions bound the entries
    assert len(loop) < int(plan.passes.sum())


def test_the_cooldown_changes_the_trades_and_the_core_follows(tmp_path: Path,
                                                              sample_market: BacktestMarket) -> None:
    runs = []
    for cooldown in (0, 900):
        settings = settings_for(tmp_path, risk={"max_open_positions": 2, "cooldown_seconds": cooldown})
        plan = random_plan(sample_market, signal_thresholds_from(settings), 400, seed=11,
                           trade_from_minute=SAMPLE_FIRST)
        core, loop, _, _ = both(settings, sample_market, plan, SAMPLE_FIRST, tmp_path / f"cool{cooldown}")
        assert not differences(core, loop), differences(core, loop)[:3]
        runs.append(loop)
    gaps = [b.entry_time_ms - a.exit_time_ms for a in runs[1] for b in runs[1]
            if a.symbol == b.symbol and b.entry_time_ms > a.exit_time_ms]
    assert min(gaps) >= 900_000
    assert [t.entry_time_ms for t in runs[0]] != [t.entry_time_ms for t in runs[1]]


def test_scored_candidates_several_a_minute_trailing_and_taker_exits_match(
        tmp_path: Path, sample_market: BacktestMarket) -> None:
    settings = settings_for(tmp_path, risk={"max_open_positions": 4, "cooldown_seconds": 120,
                                            "trailing_stop_enabled": True, "trailing_activation_pct": 0.001,
                                            "trailing_distance_pct": 0.001},
                            trading={"max_symbols_active": 3},
                            execution={"maker_take_profit": False, "bnb_fee_discount": True,
                                       "slippage_bps": 5.0})
    plan = scored_plan(sample_market, settings, SAMPLE_FIRST)
    core, loop, _, _ = both(settings, sample_market, plan, SAMPLE_FIRST, tmp_path / "run")

    assert not differences(core, loop), differences(core, loop)[:3]
    assert ExitReason.TRAILING in _reasons(loop) and len(loop) > 50


def test_the_kill_switch_and_the_daily_loss_limit_stop_both_alike(tmp_path: Path,
                                                                  sample_market: BacktestMarket) -> None:
    settings = settings_for(tmp_path, risk={"max_open_positions": 5, "cooldown_seconds": 0,
                                            "max_daily_loss_pct": 0.02, "max_drawdown_pct": 0.03,
                                            "default_take_profit_pct": 0.01, "default_stop_loss_pct": 0.01},
                            timing={"position_timeout_seconds": 1800})
    plan = random_plan(sample_market, signal_thresholds_from(settings), 300, seed=3,
                       trade_from_minute=SAMPLE_FIRST)
    core, loop, killed, stopped = both(settings, sample_market, plan, SAMPLE_FIRST, tmp_path / "run")

    assert not differences(core, loop), differences(core, loop)[:3]
    assert killed and stopped is not None and stopped.startswith("kill switch")


def test_on_recorded_data_the_scanner_rule_and_random_entries_match(tmp_path: Path,
                                                                    shared_data: Path) -> None:
    start, end = day_start_ms("2020-06-01"), day_start_ms("2020-06-02")
    market = BacktestMarket.build(load_klines(shared_data / SHARED_FILE, None, start, end))
    first = market.first_minute_from(start)
    settings = settings_for(tmp_path, risk={"max_open_positions": 5, "max_trades_per_day": 1000,
                                            "max_trades_per_hour": 1000})
    thresholds = signal_thresholds_from(settings)
    for name, plan in (("scanner", scanner_plan(market, scanner_rules_from(settings), thresholds,
                                                trade_from_minute=first)),
                       ("random", random_plan(market, thresholds, 600, seed=1, trade_from_minute=first)),
                       ("scored", scored_plan(market, settings, first))):
        core, loop, _, _ = both(settings, market, plan, first, tmp_path / name)
        assert not differences(core, loop), (name, differences(core, loop)[:3])
        assert {ExitReason.SL, ExitReason.TP, ExitReason.TIMEOUT} <= _reasons(loop), name
