"""A candidate's figures per market regime (issue 16's per-regime breakdown), beside its calendar periods.

Each trade takes the market's state at its entry (domain.statistics.regimes: the universe's equal-weighted
index over a trailing window, only bars closed by then): its drift (up, flat, down), its volatility (high,
low) and both together. Per regime: trades, mean net return and the interval clustered like the
candidate's headline (by week, or by day over fewer weeks).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from domain.statistics.clustered import WEEK_MS, ClusteredMean
from domain.statistics.regimes import MarketStates, per_regime
from domain.statistics.trust import Trades
from domain.time_units import DAY_MS

Ints = npt.NDArray[np.int64]
ByRegime = tuple[tuple[str, ClusteredMean], ...]
StatesAt = Callable[[Ints], MarketStates]  # the market's regime at each of these times


@dataclass(frozen=True)
class RegimeFigures:
    rule: str  # how the regimes were read (the study's `regimes` section, in words)
    drift: ByRegime
    volatility: ByRegime
    combined: ByRegime


def regime_figures(trades: Trades, states_at: StatesAt, cluster_by: str, rule: str) -> RegimeFigures:
    """The trades' clustered means per regime at entry (`cluster_by`: "week" or "day", the headline's)."""
    states = states_at(trades.time_ms)
    span = WEEK_MS if cluster_by == "week" else DAY_MS

    def split(labels: npt.NDArray[np.str_]) -> ByRegime:
        return per_regime(trades.net_pct, trades.time_ms, labels, span)
    return RegimeFigures(rule, split(states.drift), split(states.volatility), split(states.combined))
