"""The research core's port: the trading loop's decisions over a precomputed grid, in one compiled call.

A parameter sweep needs thousands of simulations of positions, which the real loop (an event replay
through the simulator, ~10^5 bars/s) cannot afford. A `ResearchCore` runs the same decisions over plain
arrays: entries (a market buy at the next bar's open, slipped and rounded to the tick as the simulator
fills it, or with `maker_entries` a LIMIT_MAKER at the book top's bid that fills only when the next bar
trades through it; one position per pair, `max_open_positions`, cooldown, the risk book's size), exits
(the OCO's stop-loss before its take-profit within a bar, trailing stop, timeout), fees (the
simulator's commission, rounded up) and the risk limits (daily loss limit, the kill switch on drawdown),
and returns the trades. The implementation lives in adapters (`adapters.kernels.research_numba`); a
parity test holds it equal to `run_plan_sync` (the real loop) on recorded data, trade for trade.

Grid: `bars[t, s]` is symbol s's bar (open, high, low, close) at minute t of the grid (NaN: no bar); a
bar opens at `open_ms[t]` and the loop decides at its close. Cells: the entry candidates, sorted by
minute then rank (the scanner's order), with `signal` = the prediction passes the signal rules and the
symbol can be entered (a next bar to fill in, a ready history); `score` orders the signals of one scan
(domain.signal.signal_score).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Protocol

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]


class CoreExit(IntEnum):
    """Exit reasons as the kernel writes them (domain.position.ExitReason by name)."""

    TP = 0
    SL = 1
    TRAILING = 2
    TIMEOUT = 3
    KILL_SWITCH = 4
    MANUAL = 5
    UNPROTECTED = 6  # a maker entry filled but its OCO was refused (the price already past a leg): sold


@dataclass(frozen=True)
class CoreGrid:
    bars: Floats  # (minutes, symbols, 4): open, high, low, close; NaN where no bar
    open_ms: Ints  # (minutes,) open time of each minute of the grid
    tick: Floats  # (symbols,) the simulator's filters of each symbol
    step: Floats
    min_notional: Floats
    closes: Floats  # (minutes, symbols): the closes again, one minute's together (the dust is valued at
    # every minute the loop acts: 12 cache lines a minute instead of 48 through `bars`)

    @classmethod
    def of(cls, open_: Floats, high: Floats, low: Floats, close: Floats, open_ms: Ints, tick: Floats,
           step: Floats, min_notional: Floats) -> CoreGrid:
        """From (symbols, minutes) price arrays. One minute's bars lie together, a bar's four prices in
        one cache line: the replay reads a few bars a minute, moving forward in time."""
        bars = np.empty((open_.shape[1], open_.shape[0], 4))  # filled in place: half the time of a stack
        for k, prices in enumerate((open_, high, low, close)):  # and a transposed copy (the lab's trials)
            bars[:, :, k] = prices.T
        return cls(bars, open_ms, tick, step, min_notional, np.ascontiguousarray(close.T, dtype=np.float64))


@dataclass(frozen=True)
class CoreCells:
    minute: Ints  # sorted; within a minute, the scanner's rank order
    symbol: Ints
    score: Floats  # signal_score of the prediction (orders the signals of a scan)
    signal: Bools


@dataclass(frozen=True)
class CoreSettings:
    """The loop's settings as numbers (bootstrap maps Settings here, once)."""

    take_profit_pct: float
    stop_loss_pct: float
    timeout_ms: int
    trailing_activation_pct: float  # NaN: no trailing stop
    trailing_distance_pct: float
    min_hold_ms: int
    taker_fee: float  # effective rates (BNB discount applied), as the backtest's simulator charges
    maker_fee: float
    maker_take_profit: bool  # the TP leg rests as a LIMIT_MAKER (else a TAKE_PROFIT, taker, slipped)
    slippage: float  # fraction
    latency_ms: int
    initial_capital: float
    max_position_pct: float
    min_position_usdt: float
    max_loss_per_trade_pct: float
    max_daily_loss_pct: float
    max_drawdown_pct: float
    max_open_positions: int
    max_trades_per_hour: int
    max_trades_per_day: int
    cooldown_ms: int
    top_candidates: int
    max_symbols_active: int
    entry_fill_band_pct: float
    poll_interval_ms: int = 1_000
    bar_grace_ms: int = 1_150  # the simulator's: an OCO placed this long after a bar's open sees it whole
    bar_ms: int = 60_000  # the grid's bar length (the lab resamples to 5m..1h); the loop decides at its close
    entry_fee: float | None = None  # the entry's commission rate (the lab's maker entries); None: taker
    # LIMIT_MAKER entries at the signal bar's close (OpenPosition._place_maker): refused when the next
    # bar opens at or below it (it would take), filled only when the next bar trades through it, at it
    maker_entries: bool = False


@dataclass(frozen=True)
class CoreTrades:
    symbol: Ints
    entry_ms: Ints
    exit_ms: Ints
    entry_price: Floats
    exit_price: Floats
    quantity: Floats
    fees_usdt: Floats
    pnl_usdt: Floats
    reason: Ints  # CoreExit
    killed: bool  # the kill switch stopped the run

    def __len__(self) -> int:
        return len(self.symbol)

    @property
    def pnl_pct(self) -> Floats:
        """Each trade's net PnL in percent of its cost (CompletedTrade.pnl_pct)."""
        cost = self.entry_price * self.quantity
        return np.divide(self.pnl_usdt * 100, cost, out=np.zeros_like(cost), where=cost != 0)


class ResearchCore(Protocol):
    def run(self, grid: CoreGrid, cells: CoreCells, settings: CoreSettings, first_minute: int) -> CoreTrades:
        """The trades the loop makes from minute `first_minute` on (open positions sold at the end)."""
        ...


def cell_starts(minute: Ints, minutes: int) -> Ints:
    """Index of each minute's first cell (and one past the last), for cells sorted by minute: the cells
    before minute k, counted once (a search per minute cost 0.16 ms a run, 10% of the core's)."""
    starts = np.zeros(minutes + 1, dtype=np.int64)
    np.cumsum(np.bincount(minute, minlength=minutes)[:minutes], out=starts[1:])
    return starts
