"""Every figure a candidate shows, with its trust (issue 16, item 2), from its trades alone.

Given the trades' net returns (%, after fees and slippage), entry times and market period, and the
market-drift benchmark (the trade after EVERY bar of the same periods, same exits and costs):
count and mean; the mean's interval clustered by week (by day when the trades span fewer than six
weeks) and by day, t(G-1) reference, and a sign-flip p over the same clusters;
a stationary block bootstrap interval; the smallest edge the sample could have detected (80% power, 5%
two-sided, weekly clusters); the mean per period; the mean without the five best days; the benchmark's
mean and the candidate's excess over it (per trade, against the benchmark's mean of the same day,
clustered by week) so market beta is not read as skill; the break-even round trip and the fee tiers.
The study-level figures (deflated Sharpe, PBO) need every trial: domain.statistics.overfitting.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from domain.statistics.block_bootstrap import BootstrapInterval, block_bootstrap_mean
from domain.statistics.break_even import BINANCE_SPOT_TIERS, BreakEven, FeeTier, break_even
from domain.statistics.clustered import (
    WEEK_MS,
    ClusteredMean,
    cluster_ids,
    cluster_sums,
    clustered_mean,
    minimum_detectable_effect,
    sign_flip_p,
)
from domain.time_units import DAY_MS

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Labels = npt.NDArray[np.str_]
BEST_DAYS_DROPPED = 5
MIN_WEEKS = 6  # fewer distinct weeks than this: cluster by day (a t(G-1) on 2-5 weeks says nothing)


@dataclass(frozen=True)
class Trades:
    net_pct: Floats
    time_ms: Ints
    period: Labels  # the market period (regime) of each trade

    def __len__(self) -> int:
        return len(self.net_pct)


@dataclass(frozen=True)
class Costing:
    round_trip_pct: float  # what the trades were priced at (their mean, with a fee table)
    maker_entry: bool
    slippage_pct: float
    tiers: tuple[FeeTier, ...] = BINANCE_SPOT_TIERS
    own_share: float = 0.0  # share of the trades on a fee table's own symbols (priced alike in every tier)
    own_round_trip_pct: float = 0.0  # their mean round trip


@dataclass(frozen=True)
class TrustFigures:
    cluster_by: str  # "week", or "day" when the trades span fewer than MIN_WEEKS weeks
    weekly: ClusteredMean  # clustered by `cluster_by` (the headline interval)
    daily: ClusteredMean
    sign_flip_p: float  # over weekly sums
    bootstrap: BootstrapInterval
    detectable_pct: float  # minimum detectable effect, weekly clusters
    per_period: tuple[tuple[str, ClusteredMean], ...]
    without_best_days: ClusteredMean
    benchmark_mean_pct: float
    excess: ClusteredMean  # candidate minus same-day benchmark mean, weekly clusters
    break_even: BreakEven

    @property
    def count(self) -> int:
        return self.weekly.count

    @property
    def mean_pct(self) -> float:
        return self.weekly.mean


def without_best_days(trades: Trades, days: int = BEST_DAYS_DROPPED) -> Trades:
    """The trades of every day but the `days` days with the highest summed net return."""
    day = trades.time_ms // DAY_MS
    distinct, index = np.unique(day, return_inverse=True)
    totals = np.bincount(index, weights=trades.net_pct)
    best = distinct[np.argsort(totals, kind="stable")[::-1][:days]]
    keep = ~np.isin(day, best)
    return Trades(trades.net_pct[keep], trades.time_ms[keep], trades.period[keep])


def excess_over_benchmark(trades: Trades, benchmark: Trades) -> tuple[Floats, Ints]:
    """Each trade's net return less the benchmark's mean net return on its day (trades on a day the
    benchmark has no trade are left out)."""
    bench_days, bench_index = np.unique(benchmark.time_ms // DAY_MS, return_inverse=True)
    sums, counts = cluster_sums(benchmark.net_pct, bench_index.astype(np.int64))
    day_mean = sums / counts
    day = trades.time_ms // DAY_MS
    where = np.searchsorted(bench_days, day)
    known = (where < len(bench_days)) & (bench_days[np.minimum(where, len(bench_days) - 1)] == day)
    return trades.net_pct[known] - day_mean[where[known]], trades.time_ms[known]


def trust_figures(trades: Trades, benchmark: Trades, costing: Costing, *, seed: int = 0) -> TrustFigures:
    span = WEEK_MS if len(np.unique(trades.time_ms // WEEK_MS)) >= MIN_WEEKS else DAY_MS
    weeks = cluster_ids(trades.time_ms, span)
    weekly = clustered_mean(trades.net_pct, weeks)
    periods = tuple(dict.fromkeys(trades.period.tolist()))
    per_period = tuple((name, clustered_mean(trades.net_pct[trades.period == name],
                                             weeks[trades.period == name])) for name in periods)
    rest = without_best_days(trades)
    excess, excess_time = excess_over_benchmark(trades, benchmark)
    bench_mean = float(benchmark.net_pct.mean()) if len(benchmark) else math.nan
    return TrustFigures(
        cluster_by="week" if span == WEEK_MS else "day", weekly=weekly,
        daily=clustered_mean(trades.net_pct, cluster_ids(trades.time_ms, DAY_MS)),
        sign_flip_p=sign_flip_p(trades.net_pct, weeks, seed=seed),
        bootstrap=block_bootstrap_mean(trades.net_pct, trades.time_ms, seed=seed),
        detectable_pct=minimum_detectable_effect(weekly.se, weekly.df),
        per_period=per_period,
        without_best_days=clustered_mean(rest.net_pct, cluster_ids(rest.time_ms, span)),
        benchmark_mean_pct=bench_mean,
        excess=clustered_mean(excess, cluster_ids(excess_time, span)),
        break_even=break_even(weekly.mean, costing.round_trip_pct, maker_entry=costing.maker_entry,
                              slippage_pct=costing.slippage_pct, tiers=costing.tiers,
                              own_share=costing.own_share, own_round_trip_pct=costing.own_round_trip_pct))
