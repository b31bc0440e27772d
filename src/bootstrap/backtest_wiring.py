"""Backtest wiring: data -> market grid -> plans -> one TradingLoop + SimulatedExchange per run.

Each run (the model, then each baseline) gets its own container (clock, risk book, journal), its own
simulator (same costs, same seed) and its own journal folder, so runs never share state.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

import numpy as np
from dependency_injector import providers

from adapters.simulated.exchange import SimulatedExchange
from adapters.simulated.replay_feed import ReplayFeed
from adapters.simulated.symbol_rules import default_rules_for
from adapters.storage.backtest_report import ensure_trades_csv
from application.backtest.baselines import entries_per_day, random_plan, scanner_plan
from application.backtest.market_grid import BacktestMarket
from application.backtest.precompute import EntryPlan, ev_gate_blocked_all, model_plan
from application.backtest.refusals import RecordingRiskBook, RefusalLog
from application.backtest.replay import Backtest, BacktestRun, Progress
from application.backtest.stand_ins import (
    PlannedScanner,
    PrecomputedPredictions,
    RecordingJournal,
    blank_features,
)
from application.backtest.summary import NO_EV_REASON, BacktestSummary, summarize
from application.market_memory import MarketMemory
from bootstrap import mapping
from bootstrap.container import build_container
from bootstrap.settings_model import Settings
from domain.features import KlineArrays
from domain.orders import OrderType
from domain.time_units import MINUTE_MS
from ports.model import Model

FALLBACK_ENTRIES_PER_DAY = 24.0  # the random baseline's rate when the model made no entry


@dataclass(frozen=True)
class RunOutcome:
    run: BacktestRun
    summary: BacktestSummary
    exchange: SimulatedExchange
    folder: Path


def fill_rates(exchange: SimulatedExchange) -> dict[str, float]:
    stats = exchange.stats()
    return {"market orders": stats.fill_rate(OrderType.MARKET),
            "maker entries": stats.fill_rate(OrderType.LIMIT_MAKER),
            "take-profit legs": stats.fill_rate(OrderType.LIMIT_MAKER, oco_leg=True),
            "stop-loss legs": stats.fill_rate(OrderType.STOP_LOSS, oco_leg=True),
            "maker share of fills": stats.maker_share}


def reference_prices(market: BacktestMarket, t0: int) -> dict[str, float]:
    """Each symbol's first close from minute t0 (its last before, if none): sizes its default filters."""
    present = market.rows[:, t0:] >= 0  # every symbol's first present minute in one pass, not one each
    first = present.argmax(axis=1) if present.shape[1] else np.zeros(len(market.symbols), dtype=np.intp)
    out = {}
    for i, symbol in enumerate(market.symbols):
        k, j = market.klines[symbol], int(first[i])
        row = int(market.rows[i, t0 + j]) if present.shape[1] and present[i, j] else len(k) - 1
        out[symbol] = float(k.close[row])
    return out


async def run_plan(settings: Settings, market: BacktestMarket, plan: EntryPlan, folder: Path,
                   trade_from_minute: int, *, no_trade_reason: str | None = None,
                   model_gate_pct: float | None = None, progress: Progress | None = None,
                   held_skip: bool = True) -> RunOutcome:
    """One replay: its own container (clock, risk book, journal), simulator and folder; the providers a
    replay builds itself are overridden, the rest (config, risk, the loop) comes from the mode table."""
    run_settings = settings.model_copy(update={
        "backtest": settings.backtest.model_copy(update={"report_dir": folder}),
        "trading": settings.trading.model_copy(update={"mode": "backtest"})})
    container = build_container(run_settings, "backtest")
    clock = container.clock()
    files = container.trade_journal()
    journal = RecordingJournal()  # in memory while the replay runs: the files get every trade once it ends
    exchange = SimulatedExchange({s: default_rules_for(s, p)
                                  for s, p in reference_prices(market, trade_from_minute).items()},
                                 {settings.trading.quote_asset: Decimal(repr(settings.risk.initial_capital))},
                                 clock, mapping.backtest_simulator_costs(settings))
    container.exchange.override(providers.Object(exchange))
    container.market_feed.override(providers.Object(ReplayFeed(market.klines, clock)))
    container.model.override(providers.Object(
        PrecomputedPredictions(market, plan, plan.name, ev_gate_margin_pct=model_gate_pct)))
    container.scanner.override(providers.Object(PlannedScanner(market, plan, clock)))
    container.trade_journal.override(providers.Object(journal))
    container.feature_row.override(providers.Object(blank_features))
    refusals = RefusalLog()  # the same decisions as the container's RiskBook, each refusal written down
    container.risk_book.override(providers.Object(RecordingRiskBook(container.risk_limits(), refusals)))
    if market.bar_ms != MINUTE_MS:  # longer bars (the lab's candidates): a history is one bar a step
        container.trading_loop.add_kwargs(memory=MarketMemory(container.loop_config().warmup_bars,
                                                              bar_ms=market.bar_ms))
    loop = container.trading_loop()
    backtest = Backtest(loop=loop, venue=exchange, clock=clock, market=market, plan=plan,
                        trades=journal.recorded, trade_from_minute=trade_from_minute,
                        book_tops=settings.execution.maker_entries, refusals=refusals, progress=progress,
                        held_skip=held_skip)
    try:
        run = await backtest.run()
    finally:
        files.record_many(journal.recorded)
    ensure_trades_csv(folder)
    summary = summarize(run, fill_rates=fill_rates(exchange), no_trade_reason=no_trade_reason,
                        fees_paid={a: float(v) for a, v in exchange.stats().fees_paid.items()})
    # Dust (what lot steps and minimums left unsold) is in equity at market; its cost is in no trade yet.
    summary = replace(summary, dust_usdt=loop.dust_value(), dust_cost_usdt=loop.dust_cost())
    return RunOutcome(run, summary, exchange, folder)


class _Result:
    """The run's outcome, out of asyncio's sight: asyncio.run restores the SIGINT handler after the run and
    on the way formats its main task, result included (every trade, equity mark and refusal: tens of
    milliseconds); this box prints as one word."""

    def __init__(self, outcome: RunOutcome) -> None:
        self.outcome = outcome

    def __repr__(self) -> str:
        return "<run outcome>"


def run_plan_sync(settings: Settings, market: BacktestMarket, plan: EntryPlan, folder: Path,
                  trade_from_minute: int, *, no_trade_reason: str | None = None,
                  model_gate_pct: float | None = None, progress: Progress | None = None,
                  held_skip: bool = True) -> RunOutcome:
    async def boxed() -> _Result:
        return _Result(await run_plan(settings, market, plan, folder, trade_from_minute,
                                      no_trade_reason=no_trade_reason, model_gate_pct=model_gate_pct,
                                      progress=progress, held_skip=held_skip))

    return asyncio.run(boxed()).outcome


@dataclass(frozen=True)
class BacktestResult:
    market: BacktestMarket
    main: RunOutcome
    baselines: tuple[RunOutcome, ...]


def no_progress(_name: str) -> Progress | None:
    return None


def run_backtest(settings: Settings, klines: Mapping[str, KlineArrays], model: Model, start_ms: int | None,
                 folder: Path, *, baselines: bool = True,
                 progress: Callable[[str], Progress | None] = no_progress) -> BacktestResult:
    """Precompute, run the model, then (optionally) the random-entry and scanner-only baselines. The
    model's EV gate (its card's margin) applies to every run, baselines included. `progress(job name)`
    gives the precompute and each replay its progress callback (a bar), or None."""
    gate = model.ev_gate_margin_pct
    market = BacktestMarket.build(klines)
    first = market.first_minute_from(start_ms) if start_ms is not None else 0
    thresholds = mapping.signal_thresholds_from(settings, gate)
    rules = mapping.scanner_rules_from(settings)
    fees, maker_exit = settings.execution.fee_table, settings.execution.maker_take_profit
    plan = model_plan(market, model, rules, thresholds, settings.scanner.top_candidates,
                      trade_from_minute=first, progress=progress("precompute: scan and score"),
                      ev_shift=lambda symbol: fees.round_trip_shift_pct(symbol, maker_exit=maker_exit))
    reason = NO_EV_REASON if ev_gate_blocked_all(plan, thresholds) else (
        None if plan.passes.any() else "no trade: no scanner candidate passed the model's signal thresholds")
    main = run_plan_sync(settings, market, plan, folder, first, no_trade_reason=reason, model_gate_pct=gate,
                         progress=progress(plan.name))
    others: list[RunOutcome] = []
    if baselines:
        rate = entries_per_day(len(main.run.trades), main.run.start_ms, main.run.end_ms)
        random = random_plan(market, thresholds, rate or FALLBACK_ENTRIES_PER_DAY,
                             seed=settings.execution.seed, trade_from_minute=first)
        scanner = scanner_plan(market, rules, thresholds, trade_from_minute=first)
        others.append(run_plan_sync(settings, market, random, folder / "baseline-random", first,
                                    model_gate_pct=gate, progress=progress(random.name)))
        others.append(run_plan_sync(settings, market, scanner, folder / "baseline-scanner", first,
                                    model_gate_pct=gate, progress=progress(scanner.name)))
    return BacktestResult(market, main, tuple(others))
