"""A fold's trades through the research core: the positions the loop would hold, not one label per bar.

The test period's selected bars become entry cells (best model score first within a bar), the period's
bars a grid, and the candidate's exits and costs the core's settings over the lab's risk template (the
trading settings: capital, sizing, max open positions, cooldown, limits). What comes back is one row per
trade the core made: its net return in percent of its cost (fees and slippage in), its entry time.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from application.research.lab_costs import tier_named
from application.research.period_bars import PeriodBars
from application.research.trial_params import TrialParams
from domain.features_window import consecutive_true
from domain.research_core import CoreCells, CoreGrid, CoreSettings, CoreTrades, ResearchCore
from domain.statistics.break_even import FeeTier

Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]
# (symbols, each one's first close) -> (tick sizes, lot steps, min notionals): the simulator's filters
FiltersFor = Callable[[Sequence[str], Floats], tuple[Floats, Floats, Floats]]


@dataclass(frozen=True)
class FoldRun:
    """What the core did on one test period, and what it was given (the real loop replays the same)."""

    trades: CoreTrades
    test: PeriodBars  # the grid's bars (symbols, times, prices)
    entry_time_ms: npt.NDArray[np.int64]  # the cells: bar open times, best score first within a bar
    entry_symbol: npt.NDArray[np.int64]  # index into test.symbols
    tradable: Bools  # a next bar to fill in and a ready history (the others count in the scan, never trade)
    settings: CoreSettings


@dataclass(frozen=True)
class FoldSimulator:
    core: ResearchCore
    template: CoreSettings  # risk, latency, slippage model of the trading settings
    filters: FiltersFor
    tiers: tuple[FeeTier, ...]
    slippage_pct: float  # the lab's, per market leg
    # The replaying loop's warm-up (bootstrap.container.BACKTEST_WARMUP_BARS): its memory scores a pair
    # only with this many contiguous bars ending at the signal bar, and a fold's bars are all it is given,
    # so a pair's first bar in the fold and its first bar after a hole are never entered.
    ready_bars: int = 2
    # Each test period's market, by the period's id: built by its first trial (see `_market`).
    markets: dict[int, FoldMarket] = field(default_factory=dict, compare=False, repr=False)

    def settings_for(self, params: TrialParams, interval_ms: int) -> CoreSettings:
        tier = tier_named(self.tiers, params.fee_tier)
        rules = params.exit_rules
        return dataclasses.replace(
            self.template, take_profit_pct=rules.take_profit_pct, stop_loss_pct=rules.stop_loss_pct,
            timeout_ms=rules.timeout_bars * interval_ms,
            trailing_activation_pct=np.nan if rules.trailing_activation_pct is None
            else rules.trailing_activation_pct, trailing_distance_pct=rules.trailing_distance_pct,
            taker_fee=tier.taker_pct / 100, maker_fee=tier.maker_pct / 100, maker_take_profit=True,
            entry_fee=(tier.maker_pct if params.entry == "maker" else tier.taker_pct) / 100,
            slippage=self.slippage_pct / 100, bar_ms=interval_ms, maker_entries=params.entry == "maker")

    def __call__(self, test: PeriodBars, selected: Bools, score: Floats, params: TrialParams) -> FoldRun:
        market = self._market(test)
        minutes, column = market.minutes, market.column
        rows = np.flatnonzero(selected)
        order = np.lexsort((-score[rows], column[rows]))
        rows = rows[order]
        nxt = np.minimum(column[rows] + 1, len(minutes) - 1)
        tradable = (column[rows] + 1 < len(minutes)) & \
            np.isfinite(market.grid.bars[nxt, test.symbol[rows], 0]) & \
            (minutes[nxt] == test.time_ms[rows] + test.interval_ms) & \
            (market.contiguous[rows] >= self.ready_bars)
        cells = CoreCells(column[rows].astype(np.int64), test.symbol[rows].astype(np.int64),
                          score[rows].astype(np.float64), tradable)
        settings = self.settings_for(params, test.interval_ms)
        trades = self.core.run(market.grid, cells, settings, 0)
        return FoldRun(trades, test, test.time_ms[rows], test.symbol[rows], tradable, settings)

    def _market(self, test: PeriodBars) -> FoldMarket:
        """The test period's grid, built for the first trial that tests on it and kept for the others
        (the core only reads it); the period is held with it, so its id names it while kept."""
        kept = self.markets.get(id(test))
        if kept is None or kept.test is not test:
            kept = fold_market(test, self.filters)
            self.markets[id(test)] = kept
        return kept


@dataclass(frozen=True)
class FoldMarket:
    """What every trial's fold on one test period shares: its minutes, each row's minute (column), the
    core's grid (prices, filters) and each row's run of contiguous bars."""

    test: PeriodBars
    minutes: npt.NDArray[np.int64]
    column: npt.NDArray[np.int64]
    grid: CoreGrid
    contiguous: npt.NDArray[np.int64]


def fold_market(test: PeriodBars, filters: FiltersFor) -> FoldMarket:
    minutes = np.unique(test.time_ms)
    shape = (len(test.symbols), len(minutes))
    column = np.searchsorted(minutes, test.time_ms)
    grid = [np.full(shape, np.nan) for _ in range(4)]
    for values, out in zip((test.open, test.high, test.low, test.close), grid, strict=True):
        out[test.symbol, column] = values
    first_close = np.ones(len(test.symbols))  # each symbol's first close (blocks skip absent ones)
    present, first_row = np.unique(test.symbol, return_index=True)
    first_close[present] = test.close[first_row]
    tick, step, notional = filters(test.symbols, first_close)
    minutes, column = minutes.astype(np.int64), column.astype(np.int64)
    core_grid = CoreGrid.of(grid[0], grid[1], grid[2], grid[3], minutes, tick, step, notional)
    return FoldMarket(test, minutes, column, core_grid, contiguous_bars(test))


def contiguous_bars(bars: PeriodBars) -> npt.NDArray[np.int64]:
    """How many contiguous bars of its own pair end at each row, the row's own included (rows are grouped
    by pair, in time order: a new pair or a hole in time starts the count again)."""
    continues = np.zeros(len(bars), dtype=np.bool_)
    continues[1:] = (bars.symbol[1:] == bars.symbol[:-1]) & (np.diff(bars.time_ms) == bars.interval_ms)
    return consecutive_true(continues, len(bars)).astype(np.int64) + 1
