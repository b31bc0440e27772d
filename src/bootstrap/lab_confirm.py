"""The lab's two engines: the compiled research core scores every trial, the real trading loop confirms
the finalists.

`fold_simulator(settings, spec)`: the research core (adapters.kernels) with the trading settings as its
risk template and the simulator's default filters. `confirm(candidate, settings, folder)`: each of the
finalist's test folds is replayed through `run_plan_sync` (TradingLoop + SimulatedExchange) on the very
bars and entry cells the core was given, and both figures are returned side by side; any difference is
flagged. The replay steps one bar of the fold's interval at a time (1m to 1h); a maker candidate's
entries rest as LIMIT_MAKER orders at the signal bar's close (`execution.maker_entries`), as the core
prices them.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from loguru import logger

from adapters.kernels.research_core import NumbaResearchCore
from adapters.simulated.symbol_rules import default_rules_for
from application.backtest.market_grid import BacktestMarket
from application.backtest.precompute import EntryPlan
from application.research.fold_simulation import FoldRun, FoldSimulator
from application.research.judge_candidates import Candidate
from bootstrap import mapping, research_mapping
from bootstrap.backtest_wiring import run_plan_sync
from bootstrap.container import BACKTEST_WARMUP_BARS
from bootstrap.lab_spec import LabSpec
from bootstrap.research_core_wiring import as_completed
from bootstrap.settings_model import Settings
from domain.features import KlineArrays
from domain.position import CompletedTrade

Floats = np.ndarray


def default_filters(symbols: Any, prices: Floats) -> tuple[Floats, Floats, Floats]:
    rules = [default_rules_for(s, float(p) if p > 0 else 1.0) for s, p in zip(symbols, prices, strict=True)]
    return (np.array([float(r.tick_size) for r in rules]), np.array([float(r.step_size) for r in rules]),
            np.array([float(r.min_notional) for r in rules]))


def fold_simulator(settings: Settings, spec: LabSpec) -> FoldSimulator:
    return FoldSimulator(NumbaResearchCore(), research_mapping.core_settings_from(settings), default_filters,
                         tuple(spec.tiers), spec.slippage_pct, ready_bars=BACKTEST_WARMUP_BARS)


def loop_settings(settings: Settings, run: FoldRun) -> Settings:
    """The trading settings with the fold's exits and costs, as the core ran them (a backtest: no EV gate;
    model_copy, not validation: the lab's holds reach beyond the live timeout's bounds)."""
    core = run.settings
    trailing = not math.isnan(core.trailing_activation_pct)
    risk = settings.risk.model_copy(update={
        "default_take_profit_pct": core.take_profit_pct, "default_stop_loss_pct": core.stop_loss_pct,
        "trailing_stop_enabled": trailing, "trailing_distance_pct": core.trailing_distance_pct,
        **({"trailing_activation_pct": core.trailing_activation_pct} if trailing else {})})
    execution = settings.execution.model_copy(update={
        "taker_fee_rate": core.taker_fee, "maker_fee_rate": core.maker_fee, "bnb_fee_discount": False,
        "slippage_bps": round(core.slippage * 10_000, 10), "maker_take_profit": core.maker_take_profit,
        "maker_entries": core.maker_entries})
    return mapping.without_edge_gate(settings.model_copy(update={
        "risk": risk, "execution": execution,
        "trading": settings.trading.model_copy(update={"mode": "backtest"}),
        "timing": settings.timing.model_copy(update={"position_timeout_seconds": core.timeout_ms // 1000}),
        "logging": settings.logging.model_copy(update={"file_enabled": False})}))


def market_of(run: FoldRun) -> BacktestMarket:
    test, klines = run.test, {}
    for block in test.blocks:  # one per symbol present (its code in test.symbol)
        if block.stop > block.start:
            symbol = test.symbols[int(test.symbol[block.start])]
            prices = (test.open[block], test.high[block], test.low[block], test.close[block])
            klines[symbol] = KlineArrays(test.time_ms[block], *prices, np.zeros(block.stop - block.start))
    return BacktestMarket.build(klines, bar_ms=test.interval_ms)


def plan_of(run: FoldRun, market: BacktestMarket, settings: Settings) -> EntryPlan:
    """The core's cells as the loop's plan: same order, probabilities falling with the rank inside a
    minute (the loop orders a scan's signals by score, the core by the model's), NaN when untradable."""
    index = {s: i for i, s in enumerate(market.symbols)}
    minute = np.searchsorted(market.minutes, run.entry_time_ms).astype(np.int64)
    symbol = np.array([index[run.test.symbols[int(s)]] for s in run.entry_symbol], dtype=np.int64)
    starts = np.r_[True, minute[1:] != minute[:-1]] if len(minute) else np.zeros(0, np.bool_)
    rank = np.arange(len(minute)) - np.maximum.accumulate(np.where(starts, np.arange(len(minute)), 0))
    thresholds = mapping.signal_thresholds_from(settings)
    n = len(minute)
    probability = np.where(run.tradable, 1.0 - 1e-6 * rank, np.nan)
    margin = thresholds.min_expected_net_return_percent
    return EntryPlan("lab candidate", minute, symbol, probability, np.ones(n),
                     np.full(n, thresholds.min_predicted_move_percent + 1.0),
                     np.full(n, (margin if margin is not None else 0.0) + 1.0), run.tradable.copy())


def confirm(candidate: Candidate, settings: Settings) -> dict[str, Any]:
    """The core's and the real loop's figures for the candidate's folds, and whether they agree."""
    outcome = candidate.outcome
    runs = [f.run for f in outcome.folds if f.run is not None] if outcome is not None else []
    core_pnl = [float(x) for r in runs for x in r.trades.pnl_usdt]
    figures: dict[str, Any] = {"core_trades": len(core_pnl), "core_pnl_usdt": round(sum(core_pnl), 4)}
    if not runs:
        return {**figures, "confirmed": False, "agree": None, "note": "not replayed: no simulated fold"}
    logger.disable("application")  # the replays' trade-by-trade log is not the lab's report
    try:
        core, loop = both_trades(runs, settings)
    finally:
        logger.enable("application")
    loop_pnl = [t.pnl_usdt for t in loop]
    same = sum(_same_trade(a, b) for a, b in zip(core, loop, strict=False))
    agree = same == len(loop) == len(core_pnl) and abs(sum(loop_pnl) - sum(core_pnl)) < 0.01
    return {**figures, "loop_trades": len(loop_pnl), "loop_pnl_usdt": round(sum(loop_pnl), 4),
            "identical_trades": same, "confirmed": True, "agree": agree,
            "note": "the real loop made the same trades" if agree else
            f"DISAGREE: {max(len(loop), len(core_pnl)) - same} of the trades differ between the real loop "
            "and the research core (see the counts and PnL)"}


def _same_trade(a: CompletedTrade, b: CompletedTrade) -> bool:
    """Symbol, entry and exit times, exit reason and prices exactly; net PnL to the cent."""
    return ((a.symbol, a.entry_time_ms, a.exit_time_ms, a.exit_reason, a.entry_price, a.exit_price)
            == (b.symbol, b.entry_time_ms, b.exit_time_ms, b.exit_reason, b.entry_price, b.exit_price)
            and abs(a.pnl_usdt - b.pnl_usdt) < 0.005)


Trades = list[CompletedTrade]


def both_trades(runs: list[FoldRun], settings: Settings) -> tuple[Trades, Trades]:
    """(the core's trades, the real loop's), fold after fold, each in the order it closed them."""
    core: Trades = []
    loop: Trades = []
    with tempfile.TemporaryDirectory() as folder:
        for k, run in enumerate(runs):
            market = market_of(run)
            run_settings = loop_settings(settings, run)
            replayed = run_plan_sync(run_settings, market, plan_of(run, market, run_settings),
                                     Path(folder) / f"fold{k}", 0)
            core.extend(as_completed(run.trades, run.test.symbols))
            loop.extend(replayed.run.trades)
    return core, loop


def confirmations(candidates: list[Candidate], settings: Settings) -> list[dict[str, Any]]:
    return [confirm(c, settings) for c in candidates]

