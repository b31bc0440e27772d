"""The lab's confirmation: the real loop and the research core agree on a fold's first bars and on the
first bars after a hole (the 1m scalp study's finalists differed on one such ARBUSDT entry each).

A fold's bars are all the replaying loop is given, and its memory scores a pair only with
BACKTEST_WARMUP_BARS contiguous bars ending at the signal bar: ARBUSDT's first bar of the fold
(2023-03-24 07:39, its features warmed up from its listing) and its first bar after the data's hole
(2023-03-24 12:39 -> 14:00; warmed up again at 2023-03-25 06:39) are not entered, the next bars are.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from loguru import logger

from adapters.history.klines import load_klines
from adapters.kernels.research_core import NumbaResearchCore
from application.research.fold_simulation import FoldSimulator
from application.research.market_periods import PeriodPlan, research_bars
from application.research.period_bars import PeriodBars
from application.research.trial_params import TrialParams
from bootstrap.container import BACKTEST_WARMUP_BARS
from bootstrap.lab_confirm import both_trades, default_filters
from bootstrap.research_mapping import core_settings_from
from bootstrap.settings import load_settings
from domain.position import CompletedTrade
from domain.scanner_rules import ScannerRules
from domain.statistics.break_even import BINANCE_SPOT_TIERS
from domain.time_units import HOUR_MS, MINUTE_MS, day_start_ms

SHARED_FILE = "binancedatagetter_vision/binance_spot_1m_2023-01-01_2023-09-30_BTC_ETH_SOL_ARB.csv.xz"
START, END = day_start_ms("2023-03-24"), day_start_ms("2023-03-25") + 9 * HOUR_MS
FIRST_BAR = day_start_ms("2023-03-24") + 7 * HOUR_MS + 39 * MINUTE_MS  # ARBUSDT's first in the fold
AFTER_HOLE = day_start_ms("2023-03-25") + 6 * HOUR_MS + 39 * MINUTE_MS  # the first warmed up after it


@pytest.fixture(scope="module")
def fold(shared_data: Path) -> PeriodBars:
    klines = load_klines(shared_data / SHARED_FILE, ["ARBUSDT", "BTCUSDT"], START, END)
    return research_bars(klines, [PeriodPlan(START, END)], 1, ScannerRules())[0]


def test_a_pair_is_entered_only_once_the_loop_holds_its_last_bars(fold: PeriodBars, tmp_path: Path) -> None:
    arb = fold.symbols.index("ARBUSDT")
    times = fold.time_ms[fold.symbol == arb]
    assert times[0] == FIRST_BAR and AFTER_HOLE in times and AFTER_HOLE - MINUTE_MS not in times
    picks = [FIRST_BAR, FIRST_BAR + MINUTE_MS, AFTER_HOLE, AFTER_HOLE + MINUTE_MS]
    selected = (fold.symbol == arb) & np.isin(fold.time_ms, picks)
    settings = load_settings(None, environ={}, env_file=None, overrides={"risk": {"initial_capital": 1000.0}})
    simulate = FoldSimulator(NumbaResearchCore(), core_settings_from(settings), default_filters,
                             tuple(BINANCE_SPOT_TIERS), 0.02, ready_bars=BACKTEST_WARMUP_BARS)
    run = simulate(fold, selected, np.ones(len(fold)), TrialParams(hold_minutes=10))

    assert run.tradable.tolist() == [False, True, False, True]  # the cells, in time order
    logger.disable("application")
    try:
        core, loop = both_trades([run], settings)
    finally:
        logger.enable("application")
    assert [_key(t) for t in core] == [_key(t) for t in loop]
    assert all(abs(a.pnl_usdt - b.pnl_usdt) < 0.005 for a, b in zip(core, loop, strict=True))
    # both enter at the open of the bar after the second signal bar: one minute after the hole's first
    assert [t.entry_time_ms // MINUTE_MS * MINUTE_MS for t in loop] == [FIRST_BAR + 2 * MINUTE_MS,
                                                                       AFTER_HOLE + 2 * MINUTE_MS]


def _key(trade: CompletedTrade) -> tuple[object, ...]:
    return (trade.symbol, trade.entry_time_ms, trade.exit_time_ms, trade.exit_reason, trade.entry_price,
            trade.exit_price)
