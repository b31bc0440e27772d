"""The research core's inputs from a backtest's market and plan (domain.research_core).

The grid is the market's bars as (symbols, minutes) arrays; the cells are the plan's candidates in its
order (minute, then the scanner's rank), with `signal` = the plan's `passes` (the signal rules passed and
a next bar to fill in) and `score` = domain.signal.signal_score, which orders one scan's signals.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from application.backtest.market_grid import BacktestMarket
from application.backtest.precompute import EntryPlan
from domain.research_core import CoreCells, CoreGrid


def core_grid(market: BacktestMarket, filters: Mapping[str, tuple[float, float, float]]) -> CoreGrid:
    """`filters[symbol]` = (tick size, lot step, min notional) of the simulator's rules for it."""
    shape = market.rows.shape
    columns = [np.full(shape, np.nan) for _ in range(4)]
    for s, symbol in enumerate(market.symbols):
        k = market.klines[symbol]
        at = market.rows[s] >= 0
        rows = market.rows[s, at]
        for column, values in zip(columns, (k.open, k.high, k.low, k.close), strict=True):
            column[s, at] = values[rows]
    tick, step, notional = (np.array([filters[s][i] for s in market.symbols], dtype=np.float64)
                            for i in range(3))
    return CoreGrid.of(columns[0], columns[1], columns[2], columns[3], market.minutes.astype(np.int64),
                       tick, step, notional)


def core_cells(plan: EntryPlan) -> CoreCells:
    score = plan.probability * (0.5 + 0.5 * plan.confidence)
    return CoreCells(plan.minute.astype(np.int64), plan.symbol.astype(np.int64),
                     np.where(np.isfinite(score), score, -np.inf), plan.passes.astype(np.bool_))
