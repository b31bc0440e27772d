"""The expected-value gate: the lowest expected net return a trade needs, fitted on validation rows only
(a domain rule shared by training, adapters/training/edge_gate_card, and the edge report).

Trades are compared in "% of one stake": each selected bar is one trade of the same size, so a set of
trades earns the sum of their net returns and its drawdown is the worst fall of that running sum in time
order. The gate is chosen among the expected values the model gives (never below the settings' margin)
by net PnL minus drawdown on the gate-fitting rows. A threshold qualifies only when it keeps at least
`min_trades` trades whose mean is positive by `min_t_stat` standard errors: a handful of lucky trades in
the top bin of a noisy map must not open the gate (the walk-forward showed such bins lose out of time).
When no threshold qualifies, the gate is closed: the model does not trade.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
MAX_CANDIDATES = 200


@dataclass(frozen=True)
class TradeStats:
    count: int
    mean_pct: float  # mean net return per trade, percent (NaN without trades)
    win_rate: float  # share of trades with a positive net return (NaN without trades)
    total_pct: float  # sum of net returns, % of one stake
    max_drawdown_pct: float  # worst fall of the running sum, % of one stake
    t_stat: float = math.nan  # mean / standard error (trades taken as independent: an optimistic figure)

    @property
    def objective(self) -> float:
        """Net PnL minus drawdown: what the exit-policy search and the gate maximise."""
        return self.total_pct - self.max_drawdown_pct


def trade_stats(net_pct: Floats, time_ms: Ints | None = None) -> TradeStats:
    """Figures of a set of trades; `time_ms` orders them for the drawdown (given order otherwise)."""
    net = np.asarray(net_pct, dtype=np.float64)
    if time_ms is not None and len(net):
        net = net[np.argsort(time_ms, kind="stable")]
    if not len(net):
        return TradeStats(0, math.nan, math.nan, 0.0, 0.0)
    spread = float(net.std(ddof=1)) if len(net) > 1 else math.nan
    mean = float(net.mean())
    if spread > 0:
        t_stat = mean / (spread / math.sqrt(len(net)))
    else:  # identical returns: certain sign (one trade: unknown)
        t_stat = math.copysign(math.inf, mean) if len(net) > 1 and mean != 0 else math.nan
    count, win_rate = len(net), float((net > 0).mean())
    running = np.cumsum(net)
    del net  # millions of trades when every bar of a period is one: two arrays at a time, not four
    # the running peak from 0 (the start), minus the running P&L: the drawdown
    drawdown = np.maximum.accumulate(running)
    np.maximum(drawdown, 0.0, out=drawdown)
    np.subtract(drawdown, running, out=drawdown)
    return TradeStats(count, mean, win_rate, float(running[-1]), float(np.max(drawdown)), t_stat)

@dataclass(frozen=True)
class GateChoice:
    threshold_pct: float | None  # trade when expected net return > threshold; None = closed
    stats: TradeStats  # the trades the gate keeps on the rows it was fitted on
    rationale: str

    @property
    def is_open(self) -> bool:
        return self.threshold_pct is not None

    def select(self, expected_pct: Floats) -> npt.NDArray[np.bool_]:
        if self.threshold_pct is None:
            return np.zeros(len(expected_pct), dtype=np.bool_)
        chosen: npt.NDArray[np.bool_] = np.asarray(expected_pct > self.threshold_pct)
        return chosen


def fit_gate(expected_pct: Floats, net_pct: Floats, time_ms: Ints, *, margin_pct: float = 0.0,
             min_trades: int = 30, min_t_stat: float = 2.0) -> GateChoice:
    """The threshold on expected net return that maximises net PnL minus drawdown on these rows, among
    thresholds >= margin that keep >= min_trades trades with a mean > 0 by min_t_stat standard errors;
    closed when none does."""
    ok = np.isfinite(expected_pct) & np.isfinite(net_pct)
    ev, net, times = expected_pct[ok], net_pct[ok], time_ms[ok]
    levels = np.unique(ev[ev > margin_pct])
    candidates = [margin_pct, *levels[:-1].tolist()]  # "> the highest level" would keep nothing
    if len(candidates) > MAX_CANDIDATES:
        candidates = np.unique(np.quantile(candidates, np.linspace(0, 1, MAX_CANDIDATES))).tolist()
    best: tuple[float, TradeStats] | None = None
    for threshold in candidates:
        keep = ev > threshold
        if int(keep.sum()) < min_trades:
            continue
        stats = trade_stats(net[keep], times[keep])
        significant = stats.mean_pct > 0 and stats.t_stat >= min_t_stat
        if significant and (best is None or stats.objective > best[1].objective):
            best = (float(threshold), stats)
    if best is None:
        above = ev > margin_pct
        stats = trade_stats(net[above], times[above])
        why = (f"closed: no threshold >= {margin_pct:.3f}% keeps {min_trades}+ validation trades with a mean "
               f"net return > 0 by {min_t_stat:g} standard errors ({stats.count} trades above the margin, "
               f"mean {_pct(stats.mean_pct)})")
        return GateChoice(None, stats, why)
    threshold, stats = best
    why = (f"expected net return > {threshold:.4f}%: {stats.count} validation trades, mean "
           f"{_pct(stats.mean_pct)}, win rate {stats.win_rate:.2f}, net {stats.total_pct:.1f}% - drawdown "
           f"{stats.max_drawdown_pct:.1f}%")
    return GateChoice(threshold, stats, why)


def _pct(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:+.4f}%"
