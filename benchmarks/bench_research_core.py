"""Research core benchmark: bars/s of the compiled core (adapters/kernels/research_core.py, the loop's
decisions) against a numba loop of the simplest same decisions (below), measured in the same run.

Workload (issue 17's replay benchmark): the scanner-rule baseline over one week of the 96-pair file,
one position at a time, TP/SL/timeout exits, fees, the hourly and daily entry counts. Two numba
references of replay_reference.reference_trades' decisions (no lot steps, dust, risk book, latency or
equity marks), given the same precomputed grid:
- `bar_walk_reference`: an event loop over every bar of the grid (the "numba loop" of issue 17, ~300 M
  bars/s, the memory-bandwidth class): the target's reference;
- vectorbt's `Portfolio.from_signals` with sl_stop/tp_stop on the same grid (benchmarks/vectorbt_reference.py,
  the optional `bench` extra), its trades and PnL held against the bar walk's;
- `reference_loop`: jumps from one passing cell to the next and reads only the bars of its trades, the
  floor of these decisions (printed for scale: no minute-by-minute engine can approach it).
Times are CPU seconds, best of --repeat, after one warm-up call (compilation or the disk cache).
Target: core / bar walk <= 5 (the core within 5x of the numba reference).

Usage: .venv/bin/python benchmarks/bench_research_core.py [--repeat N] [--cache DIR]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np
from numba import njit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from loguru import logger  # noqa: E402

from adapters.history.klines import load_klines  # noqa: E402
from adapters.kernels.research_core import NumbaResearchCore  # noqa: E402
from application.backtest.baselines import scanner_plan  # noqa: E402
from application.backtest.core_grid import core_cells  # noqa: E402
from application.backtest.market_grid import BacktestMarket  # noqa: E402
from bootstrap.mapping import scanner_rules_from, signal_thresholds_from  # noqa: E402
from bootstrap.research_core_wiring import backtest_grid  # noqa: E402
from bootstrap.research_mapping import core_settings_from  # noqa: E402
from bootstrap.settings import load_settings  # noqa: E402
from domain.time_units import day_start_ms  # noqa: E402

sys.path.insert(0, str(ROOT / "benchmarks"))
import vectorbt_reference  # noqa: E402

SHARED = ROOT.parent / "shared" / "data" / "freqtrade_userdata"
WEEK_FILE = SHARED / "binance_spot_1m_2021-04-02_2021-05-31_96pairs.csv.xz"
WEEK = ("2021-05-01", "2021-05-08")


@njit(cache=True)
def reference_loop(o: np.ndarray, h: np.ndarray, lo: np.ndarray, c: np.ndarray, open_ms: np.ndarray,
                   minute: np.ndarray, symbol: np.ndarray, take_pct: float, stop_pct: float, timeout: int,
                   fee: float, slip: float, per_hour: int, per_day: int) -> tuple[int, float]:
    """replay_reference.reference_trades in numba: (trades, summed PnL fraction)."""
    total = o.shape[1]
    recent = np.zeros(len(minute) + 1, dtype=np.int64)
    head = tail = 0
    day, day_count, free_from, trades, pnl = -1, 0, 0, 0, 0.0
    for k in range(len(minute)):
        t, s = minute[k], symbol[k]
        if t < free_from or t + 1 >= total or np.isnan(o[s, t + 1]):
            continue
        while head < tail and recent[head] <= t - 60:
            head += 1
        today = open_ms[t] // 86_400_000
        if today != day:
            day, day_count = today, 0
        if tail - head >= per_hour or day_count >= per_day:
            continue
        entry = o[s, t + 1] * (1 + slip)
        take, stop = entry * (1 + take_pct), entry * (1 - stop_pct)
        end = min(t + 1 + timeout, total)
        exit_price, exit_at = c[s, end - 1], end - 1
        for u in range(t + 1, end):
            if lo[s, u] <= stop:
                exit_price, exit_at = stop, u
                break
            if h[s, u] >= take:
                exit_price, exit_at = take, u
                break
        pnl += exit_price / entry * (1 - fee) - (1 + fee)
        trades += 1
        recent[tail] = t
        tail += 1
        day_count += 1
        free_from = exit_at + 1
    return trades, pnl


@njit(cache=True)
def bar_walk_reference(bars: np.ndarray, open_ms: np.ndarray, signal: np.ndarray, first: int, take_pct: float,
                       stop_pct: float, timeout: int, fee: float, slip: float, per_hour: int,
                       per_day: int) -> tuple[int, float]:
    """The same decisions as an event loop over every bar of the grid, minute by minute (vectorbt's
    shape; issue 17's "numba loop"): the open position's bar is checked for its exit, a signal bar
    opens one when none is open. `signal[t, s]`: the plan's first passing cell of each minute. It reads
    the core's own grid (`bars[t, s]` = open, high, low, close)."""
    total, symbols = bars.shape[0], bars.shape[1]
    recent = np.zeros(total + 1, dtype=np.int64)
    head = tail = 0
    day, day_count, trades, pnl = -1, 0, 0, 0.0
    held, entry, take, stop, until = -1, 0.0, 0.0, 0.0, 0
    for t in range(first, total):
        for s in range(symbols):
            if s == held:
                if bars[t, s, 2] <= stop:
                    pnl += stop / entry * (1 - fee) - (1 + fee)
                    held = -1
                elif bars[t, s, 1] >= take:
                    pnl += take / entry * (1 - fee) - (1 + fee)
                    held = -1
                elif t >= until:
                    pnl += bars[t, s, 3] / entry * (1 - fee) - (1 + fee)
                    held = -1
                continue
            if held >= 0 or not signal[t, s] or t + 1 >= total or np.isnan(bars[t + 1, s, 0]):
                continue
            while head < tail and recent[head] <= t - 60:
                head += 1
            today = open_ms[t] // 86_400_000
            if today != day:
                day, day_count = today, 0
            if tail - head >= per_hour or day_count >= per_day:
                continue
            held, entry = s, bars[t + 1, s, 0] * (1 + slip)
            take, stop, until = entry * (1 + take_pct), entry * (1 - stop_pct), min(t + timeout, total - 1)
            trades += 1
            recent[tail] = t
            tail += 1
            day_count += 1
    return trades, pnl


def cpu_best(call: object, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        call()  # type: ignore[operator]
        best = min(best, time.process_time() - start)
    return best


def vectorbt_line(walk_args: tuple[object, ...], bars: int, times: tuple[float, float], walk_trades: int,
                  walk_pnl: float, repeat: int) -> str:
    """vectorbt's row: its bars/s, its time over the bar walk's and the core's (`times`), and whether its
    trades agree with the bar walk's."""
    if not vectorbt_reference.available():
        return vectorbt_reference.MISSING
    portfolio = vectorbt_reference.run(*walk_args)  # warm-up: compiles its engine with the signal function
    trades, pnl = vectorbt_reference.trades_and_pnl(portfolio)
    vbt_s = cpu_best(lambda: vectorbt_reference.run(*walk_args), repeat)
    gaps = vectorbt_reference.exits_at_a_gap(portfolio, *walk_args[4:6])  # type: ignore[arg-type]
    same = trades == walk_trades and abs(pnl - walk_pnl) < 1e-9
    verdict = f"agree ({trades} trades, summed PnL {pnl:+.6f} both)" if same else (
        f"differ: {trades - walk_trades:+d} trades, PnL {pnl - walk_pnl:+.4f} (summed fractions) against the "
        f"bar walk's {walk_pnl:+.4f}; {gaps} vectorbt stop exit(s) at a bar opening beyond the stop, filled "
        "at that open where the bar walk takes the stop price, and the entries that moved after them")
    return (f"{'vectorbt from_signals':<22}{trades:>8}{vbt_s:>10.4f}{bars / vbt_s:>16,.0f}  "
            f"= {vbt_s / times[0]:.0f}x the bar walk's time, {vbt_s / times[1]:.0f}x the core's; "
            f"trades and PnL {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/cryptoscalper-bench-cache"))
    args = parser.parse_args()
    logger.remove()
    settings = load_settings(None, overrides={"logging": {"file_enabled": False},
                                              "risk": {"initial_capital": 1000.0, "max_drawdown_pct": 0.99,
                                                       "max_daily_loss_pct": 0.99}})
    start, end = day_start_ms(WEEK[0]), day_start_ms(WEEK[1])
    market = BacktestMarket.build(load_klines(WEEK_FILE, None, start, end, cache_dir=args.cache))
    first = market.first_minute_from(start)
    thresholds = signal_thresholds_from(settings)
    plan = scanner_plan(market, scanner_rules_from(settings), thresholds, trade_from_minute=first)
    built = time.process_time()
    grid = backtest_grid(market, first)  # once per data set, like the references' layouts below
    built = time.process_time() - built
    cells, core_settings = core_cells(plan), core_settings_from(settings)
    bars = int((market.rows[:, first:] >= 0).sum())
    core = NumbaResearchCore()
    passing = np.flatnonzero(cells.signal & (cells.minute >= first))
    by_symbol = [np.ascontiguousarray(grid.bars[:, :, k].T) for k in range(4)]  # its best layout
    ref_args = (*by_symbol, grid.open_ms, cells.minute[passing],
                cells.symbol[passing], thresholds.take_profit_pct, thresholds.stop_loss_pct,
                settings.timing.position_timeout_seconds // 60, core_settings.taker_fee,
                core_settings.slippage,
                settings.risk.max_trades_per_hour, settings.risk.max_trades_per_day)
    first_cell = np.zeros(grid.bars.shape[:2], dtype=np.bool_)
    head = passing[np.r_[True, np.diff(cells.minute[passing]) > 0]] if len(passing) else passing
    first_cell[cells.minute[head], cells.symbol[head]] = True
    walk_args = (grid.bars, grid.open_ms, first_cell, first, *ref_args[7:])
    trades = core.run(grid, cells, core_settings, first)  # warm-up: loads or compiles each
    ref_trades, _ = reference_loop(*ref_args)
    walk_trades, walk_pnl = bar_walk_reference(*walk_args)
    core_s = cpu_best(lambda: core.run(grid, cells, core_settings, first), args.repeat)
    ref_s = cpu_best(lambda: reference_loop(*ref_args), args.repeat)
    walk_s = cpu_best(lambda: bar_walk_reference(*walk_args), args.repeat)
    ratio = core_s / walk_s
    vbt_line = vectorbt_line(walk_args, bars, (walk_s, core_s), walk_trades, walk_pnl, args.repeat)
    print(f"scanner-rule baseline, {WEEK_FILE.name} {WEEK[0]}..{WEEK[1]}: {len(market.symbols)} pairs, "
          f"{bars:,} bars, {len(passing):,} signals; best of {args.repeat} (CPU s)")
    print(f"{'':<22}{'trades':>8}{'CPU s':>10}{'bars/s':>16}")
    print(f"{'research core':<22}{len(trades):>8}{core_s:>10.4f}{bars / core_s:>16,.0f}")
    print(f"{'numba bar walk':<22}{walk_trades:>8}{walk_s:>10.4f}{bars / walk_s:>16,.0f}")
    print(vbt_line)
    print(f"{'numba trades only':<22}{ref_trades:>8}{ref_s:>10.4f}{bars / max(ref_s, 1e-9):>16,.0f}")
    print(f"the core's grid (bars, closes per minute) built once per data set: {built:.3f} CPU s")
    print(f"core / bar walk time: {ratio:.2f}x (target <= 5x: {'met' if ratio <= 5 else 'NOT met'}); "
          f"core / trades-only loop: {core_s / max(ref_s, 1e-9):.0f}x (it visits the trades' bars only, "
          "the core every minute where the loop acts); "
          f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB; "
          f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
