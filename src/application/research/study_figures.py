"""The study's own figures: the trial matrix (daily P&L of every finished trial over the test calendar),
the deflated Sharpe ratio of a candidate with the study's real number of trials, and PBO over the matrix.

A trial's daily P&L is the sum of its trades' net returns (% of one stake each) per UTC day of the test
periods, zero on days it did not trade; its Sharpe ratio is per day. Every trial the study ran (complete
or pruned) counts in N; the variance of Sharpe ratios and the PBO matrix use the complete ones.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from domain.research_trials import TrialRecord
from domain.statistics.overfitting import (
    OverfitProbability,
    SharpeMoments,
    backtest_overfitting,
    deflated_sharpe,
    sharpe_moments,
)
from domain.statistics.trust import Trades
from domain.time_units import DAY_MS

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
MAX_BLOCKS = 16


def daily_pnl(trades: Trades, calendar: Ints) -> Floats:
    where = np.searchsorted(calendar, trades.time_ms // DAY_MS)
    inside = where < len(calendar)
    summed = np.bincount(where[inside], weights=trades.net_pct[inside], minlength=len(calendar))
    return summed.astype(np.float64)


@dataclass(frozen=True)
class StudyOverfitting:
    trials: int  # every trial tried (N of the deflated Sharpe ratio)
    complete: int
    sharpe_variance: float  # of the complete trials' daily Sharpe ratios
    pbo: OverfitProbability
    blocks: int

    def deflated(self, moments: SharpeMoments) -> float:
        return deflated_sharpe(moments, self.trials, self.sharpe_variance)


def even_blocks(rows: int, most: int = MAX_BLOCKS) -> int:
    """The most even CSCV blocks (<= `most`) that leave at least two rows per block."""
    blocks = min(most, rows // 2)
    return max(blocks - blocks % 2, 2)


def study_overfitting(records: Sequence[TrialRecord]) -> StudyOverfitting:
    tried = [r for r in records if r.state in ("complete", "pruned")]
    rows = [r.daily_pnl for r in tried if r.state == "complete" and r.daily_pnl is not None]
    lengths = {len(r) for r in rows}
    if len(lengths) > 1:
        raise ValueError("the trials' daily P&L cover different calendars: was the data changed mid-study?")
    matrix = np.array(rows, dtype=np.float64).T if rows else np.empty((0, 0))
    sharpes = [sharpe_moments(matrix[:, j]).sharpe for j in range(matrix.shape[1])]
    finite = [s for s in sharpes if math.isfinite(s)]
    variance = float(np.var(finite, ddof=1)) if len(finite) > 1 else math.nan
    blocks = even_blocks(matrix.shape[0])
    pbo = backtest_overfitting(matrix, blocks) if matrix.size else OverfitProbability(math.nan, 0, ())
    return StudyOverfitting(len(tried), len(rows), variance, pbo, blocks)
