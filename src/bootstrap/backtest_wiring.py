"""Backtest wiring: data -> market grid -> plans -> one TradingLoop + SimulatedExchange per run.

Each run (the model, then each baseline) gets its own container (clock, risk book, journal), its own
simulator (same costs, same seed) and its own journal folder, so runs never share state.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import numpy as np

from adapters.history.loader import clean_history, load_history
from adapters.history.schema import to_kline_arrays
from adapters.simulated.costs import SimulatorCosts
from adapters.simulated.exchange import SimulatedExchange
from adapters.simulated.replay_feed import ReplayFeed
from adapters.simulated.symbol_rules import default_rules_for
from adapters.storage.backtest_report import ensure_trades_csv
from application.backtest import Backtest, BacktestRun
from application.backtest_lookups import (
    PlannedScanner,
    PrecomputedPredictions,
    RecordingJournal,
    blank_features,
)
from application.backtest_market import BacktestMarket
from application.backtest_precompute import EntryPlan, ev_gate_blocked_all, model_plan
from application.backtest_summary import NO_EV_REASON, BacktestSummary, summarize
from application.baselines import entries_per_day, random_plan, scanner_plan
from application.trading_loop import TradingLoop
from bootstrap.config_mapping import loop_config_from_settings
from bootstrap.container import build_container, scanner_rules_from, signal_thresholds_from, with_model_gate
from bootstrap.settings_model import Settings
from domain.features import WARMUP_BARS, KlineArrays
from domain.orders import OrderType
from ports.model import Model

DAY_MS = 86_400_000
MINUTE_MS = 60_000
# History loaded before --start: the 24 h scanner window plus the features' warm-up, then a margin.
WARMUP_MS = DAY_MS + WARMUP_BARS * MINUTE_MS + 6 * 3_600_000
FALLBACK_ENTRIES_PER_DAY = 24.0  # the random baseline's rate when the model made no entry


def day_ms(text: str) -> int:
    return int(datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC).timestamp() * 1000)


def load_klines(path: Path, symbols: Iterable[str] | None, start_ms: int | None, end_ms: int | None,
                *, interval: str | None = None) -> dict[str, KlineArrays]:
    """1m klines of `path` (file, archive folder or cache folder) in [start - warm-up, end)."""
    wanted = [s.upper() for s in symbols] if symbols else None
    out: dict[str, KlineArrays] = {}
    for symbol, history in load_history(path, symbols=wanted, interval=interval).items():
        if history.interval_ms != MINUTE_MS:
            continue
        frame = clean_history(history).frame
        times = frame["open_time_ms"]
        keep = (times >= (start_ms - WARMUP_MS if start_ms is not None else times.min()))
        if end_ms is not None:
            keep &= times < end_ms
        if keep.any():
            out[symbol] = to_kline_arrays(frame[keep].reset_index(drop=True))
    return out


@dataclass(frozen=True)
class RunOutcome:
    run: BacktestRun
    summary: BacktestSummary
    exchange: SimulatedExchange
    folder: Path


def simulator_costs(settings: Settings) -> SimulatorCosts:
    execution = settings.execution
    # The BNB discount is applied to the rates (fees still taken in the received asset), so a backtest
    # needs no BNB balance nor BNB price.
    return SimulatorCosts.from_rates(
        taker_fee=execution.effective_taker_fee, maker_fee=execution.effective_maker_fee,
        slippage_bps=execution.slippage_bps, latency_ms=execution.latency_ms, seed=execution.seed)


def fill_rates(exchange: SimulatedExchange) -> dict[str, float]:
    stats = exchange.stats()
    return {"market orders": stats.fill_rate(OrderType.MARKET),
            "maker entries": stats.fill_rate(OrderType.LIMIT_MAKER),
            "take-profit legs": stats.fill_rate(OrderType.LIMIT_MAKER, oco_leg=True),
            "stop-loss legs": stats.fill_rate(OrderType.STOP_LOSS, oco_leg=True),
            "maker share of fills": stats.maker_share}


def reference_prices(market: BacktestMarket, t0: int) -> dict[str, float]:
    """Each symbol's first close from minute t0 (its last before, if none): sizes its default filters."""
    out = {}
    for i, symbol in enumerate(market.symbols):
        k = market.klines[symbol]
        present = np.flatnonzero(market.rows[i, t0:] >= 0)
        row = int(market.rows[i, t0 + int(present[0])]) if present.size else len(k) - 1
        out[symbol] = float(k.close[row])
    return out


async def run_plan(settings: Settings, market: BacktestMarket, plan: EntryPlan, folder: Path,
                   trade_from_minute: int, *, no_trade_reason: str | None = None) -> RunOutcome:
    run_settings = settings.model_copy(update={
        "backtest": settings.backtest.model_copy(update={"report_dir": folder}),
        "trading": settings.trading.model_copy(update={"mode": "backtest"})})
    container = build_container(run_settings, "backtest")
    clock = container.clock()
    journal = RecordingJournal(container.trade_journal())
    exchange = SimulatedExchange({s: default_rules_for(s, p)
                                  for s, p in reference_prices(market, trade_from_minute).items()},
                                 {settings.trading.quote_asset: Decimal(repr(settings.risk.initial_capital))},
                                 clock, simulator_costs(settings))
    config = replace(loop_config_from_settings(run_settings), thresholds=container.signal_thresholds(),
                     exit_policy=container.exit_policy(), warmup_bars=2, stats_interval_ms=10**15)
    loop = TradingLoop(feed=ReplayFeed(market.klines, clock), exchange=exchange,
                       model=PrecomputedPredictions(market, plan, plan.name), clock=clock, journal=journal,
                       scanner=PlannedScanner(market, plan, clock), risk=container.risk_book(), config=config,
                       features=blank_features)
    backtest = Backtest(loop=loop, venue=exchange, clock=clock, market=market, plan=plan,
                        trades=journal.recorded, trade_from_minute=trade_from_minute,
                        book_tops=settings.execution.maker_entries)
    run = await backtest.run()
    ensure_trades_csv(folder)
    summary = summarize(run, fill_rates=fill_rates(exchange), no_trade_reason=no_trade_reason,
                        fees_paid={a: float(v) for a, v in exchange.stats().fees_paid.items()})
    # Dust (what lot steps and minimums left unsold) is in equity at market; its cost is in no trade yet.
    summary = replace(summary, dust_usdt=loop.account.dust_value(), dust_cost_usdt=loop.account.dust_cost())
    return RunOutcome(run, summary, exchange, folder)


def run_plan_sync(settings: Settings, market: BacktestMarket, plan: EntryPlan, folder: Path,
                  trade_from_minute: int, *, no_trade_reason: str | None = None) -> RunOutcome:
    return asyncio.run(run_plan(settings, market, plan, folder, trade_from_minute,
                                no_trade_reason=no_trade_reason))


@dataclass(frozen=True)
class BacktestResult:
    market: BacktestMarket
    main: RunOutcome
    baselines: tuple[RunOutcome, ...]


def run_backtest(settings: Settings, klines: Mapping[str, KlineArrays], model: Model, start_ms: int | None,
                 folder: Path, *, baselines: bool = True) -> BacktestResult:
    """Precompute, run the model, then (optionally) the random-entry and scanner-only baselines."""
    settings = with_model_gate(settings, model)  # issue 8: the card's EV gate applies to every run
    market = BacktestMarket.build(klines)
    first = market.first_minute_from(start_ms) if start_ms is not None else 0
    thresholds = signal_thresholds_from(settings)
    rules = scanner_rules_from(settings)
    plan = model_plan(market, model, rules, thresholds, settings.scanner.top_candidates,
                      trade_from_minute=first)
    reason = NO_EV_REASON if ev_gate_blocked_all(plan, thresholds) else (
        None if plan.passes.any() else "no trade: no scanner candidate passed the model's signal thresholds")
    main = run_plan_sync(settings, market, plan, folder, first, no_trade_reason=reason)
    others: list[RunOutcome] = []
    if baselines:
        rate = entries_per_day(len(main.run.trades), main.run.start_ms, main.run.end_ms)
        random = random_plan(market, thresholds, rate or FALLBACK_ENTRIES_PER_DAY,
                             seed=settings.execution.seed, trade_from_minute=first)
        scanner = scanner_plan(market, rules, thresholds, trade_from_minute=first)
        others.append(run_plan_sync(settings, market, random, folder / "baseline-random", first))
        others.append(run_plan_sync(settings, market, scanner, folder / "baseline-scanner", first))
    return BacktestResult(market, main, tuple(others))
