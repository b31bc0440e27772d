"""Helpers of the research core's parity tests: plans inside the parity domain, and the comparison.

The parity domain (what the compiled core mirrors exactly; domain/research_core.py, adapters/kernels):
- taker market entries, or maker entries (`execution.maker_entries`: a LIMIT_MAKER at the book top the
  replay shows, resolved at the next bar's close); slippage and latency without jitter;
- the simulator's default filters (default_rules_for at the first replayed close), quoteOrderQty buys,
  full fills (a bar has no depth: a market order fills whole at its slipped price);
- every cell passing the signal rules can be entered: it has a next bar to fill in (`passes`), and the
  cells that pass the signal rules without one carry NaN predictions (the loop would otherwise signal
  them at a stale price); the data is gap-free inside the replayed span, so every candidate's history is
  ready (the backtest's loop needs two contiguous bars);
- sizes well above the pair's minimum: the entry refusal (an exit that could not be sold after rounding)
  and an unprotectable holding (below one lot step) are not exercised (a maker fill sold unprotected
  below the minimum notional is: test_research_core_parity_makers.py).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from application.backtest.market_grid import BacktestMarket
from application.backtest.precompute import EntryPlan, passing, scanner_candidates
from bootstrap.backtest_wiring import run_plan_sync
from bootstrap.mapping import scanner_rules_from, signal_thresholds_from
from bootstrap.research_core_wiring import as_completed, core_run
from bootstrap.settings_model import Settings
from domain.position import CompletedTrade


def scored_plan(market: BacktestMarket, settings: Settings, first: int, *, seed: int = 5,
                top_n: int = 10) -> EntryPlan:
    """The scanner's top-N candidates of every minute with seeded random predictions: several cells a
    minute pass, in rank order, with different scores (what orders one scan's signals)."""
    minute, symbol, _, _ = scanner_candidates(market, scanner_rules_from(settings), top_n)
    keep = minute >= first
    minute, symbol = minute[keep], symbol[keep]
    rng = np.random.default_rng(seed)
    n = len(minute)
    probability = rng.uniform(0.0, 1.0, n)
    probability[~market.has_next_bar()[symbol, minute]] = np.nan
    scores = (probability, rng.uniform(0.0, 1.0, n), np.full(n, 5.0), np.full(n, 5.0))
    thresholds = signal_thresholds_from(settings)
    return EntryPlan("scored", minute, symbol, *scores,
                     passes=passing(market, minute, symbol, scores, thresholds))


def both(settings: Settings, market: BacktestMarket, plan: EntryPlan, first: int,
         folder: Path) -> tuple[list[CompletedTrade], list[CompletedTrade], bool, str | None]:
    """(the core's trades, the real loop's trades, the core's kill flag, the loop's stop reason)."""
    core = core_run(settings, market, plan, first)
    loop = run_plan_sync(settings, market, plan, folder, first)
    return as_completed(core, market.symbols), list(loop.run.trades), core.killed, loop.run.stopped_reason


def differences(core: list[CompletedTrade], loop: list[CompletedTrade]) -> list[str]:
    """Every way the two trade lists differ: count, then per trade the identity (symbol, times, reason),
    the prices (exact), the quantity (to 1e-12) and the net PnL (to the cent)."""
    out = [] if len(core) == len(loop) else [f"{len(core)} core trades, {len(loop)} loop trades"]
    for k, (a, b) in enumerate(zip(core, loop, strict=False)):
        same = ((a.symbol, a.entry_time_ms, a.exit_time_ms, a.exit_reason, a.entry_price, a.exit_price)
                == (b.symbol, b.entry_time_ms, b.exit_time_ms, b.exit_reason, b.entry_price, b.exit_price)
                and abs(a.quantity - b.quantity) <= 1e-12 * max(1.0, b.quantity)
                and abs(a.pnl_usdt - b.pnl_usdt) < 0.005)
        if not same:
            out.append(f"trade {k}: core {a} != loop {b}")
    total_core, total_loop = sum(t.pnl_usdt for t in core), sum(t.pnl_usdt for t in loop)
    if abs(total_core - total_loop) >= 0.01:
        out.append(f"total PnL {total_core:.4f} (core) != {total_loop:.4f} (loop)")
    return out


def most_open_at_once(trades: list[CompletedTrade]) -> int:
    """The largest number of trades open at the same instant."""
    events = sorted([(t.entry_time_ms, 1) for t in trades] + [(t.exit_time_ms, -1) for t in trades])
    level = best = 0
    for _, step in events:
        level += step
        best = max(best, level)
    return best
