"""Trust figures for `report edge` run as a lab preset: the EV gate's trades and the model's top decile,
pooled over the test periods, against every bar's trade (the market drift) with the same exits and costs.

The deflated Sharpe ratio counts the exit policies tried as the trials. The walk-forward keeps only the
chosen policy's test trades, so the variance of the trials' Sharpe ratios is taken as a no-skill trial's
sampling variance, 1/T for T days (what trials without skill would show).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from application.research.lab_payload import clustered
from application.research.walk_forward import EdgeReport
from application.research.walk_forward_trades import entry_times_ms
from domain.statistics.overfitting import deflated_sharpe, sharpe_moments
from domain.statistics.trust import Costing, Trades, trust_figures
from domain.symbol_costs import SymbolCosts
from domain.time_units import DAY_MS


def _pooled(report: EdgeReport, name: str, *, labelled: bool = True) -> Trades:
    """The folds' trades of this name; without labels (one shared empty label) when no figure reads their
    period: a label per trade costs 4 bytes a character, gigabytes for every bar of the data."""
    parts = [(f.trades[name][0], f.trades[name][1]) for f in report.folds if name in f.trades]
    if not parts:
        return Trades(np.empty(0), np.empty(0, np.int64), np.empty(0, dtype=np.str_))
    net, stored = (np.concatenate(p) for p in zip(*parts, strict=True))
    time = entry_times_ms(name, stored)
    if labelled:
        period = np.concatenate([np.full(len(f.trades[name][0]), f.bounds.test_period)
                                 for f in report.folds if name in f.trades]).astype(np.str_)
    else:
        period = np.broadcast_to(np.array("", dtype=np.str_), net.shape)
    return Trades(net.astype(np.float64), time.astype(np.int64), period)


def edge_trust(report: EdgeReport, *, seed: int = 0) -> dict[str, Any]:
    # with a fee table: priced at the default rates (the pooled trades do not say their symbols)
    given = report.config.costs
    costs = given.default if isinstance(given, SymbolCosts) else given
    costing = Costing(costs.round_trip_pct, maker_entry=False, slippage_pct=costs.slippage_pct * 100)
    benchmark = _pooled(report, "all bars", labelled=False)  # trust_figures reads its nets and times
    out: dict[str, Any] = {"trials_counted": len(report.config.policies)}
    for name in ("EV gate", "model decile 10"):
        trades = _pooled(report, name)
        if not len(trades):
            out[name] = {"count": 0}
            continue
        t = trust_figures(trades, benchmark, costing, seed=seed)
        days = np.unique(trades.time_ms // DAY_MS)
        daily = np.bincount(np.searchsorted(days, trades.time_ms // DAY_MS), weights=trades.net_pct)
        moments = sharpe_moments(daily.astype(np.float64))
        dsr = deflated_sharpe(moments, len(report.config.policies), 1 / max(moments.observations, 1))
        out[name] = {"count": t.count, "clustered_by": t.cluster_by, "clustered": clustered(t.weekly),
                     "sign_flip_p": t.sign_flip_p, "bootstrap": [t.bootstrap.low, t.bootstrap.high],
                     "min_detectable_effect_pct": t.detectable_pct,
                     "per_period": {p: clustered(m) for p, m in t.per_period},
                     "without_best_5_days": clustered(t.without_best_days),
                     "market_drift_mean_pct": t.benchmark_mean_pct, "excess_over_drift": clustered(t.excess),
                     "deflated_sharpe": dsr, "break_even_round_trip_pct": t.break_even.round_trip_pct,
                     "paying_tier": t.break_even.cheapest_paying}
    return out


def _f(value: float | None, spec: str = "+.4f") -> str:
    return "n/a" if value is None or value != value else format(value, spec)


def trust_lines(trust: dict[str, Any]) -> list[str]:
    lines = []
    for name in ("EV gate", "model decile 10"):
        t = trust.get(name, {})
        if not t.get("count"):
            lines.append(f"{name}: no trades in any test period")
            continue
        c, excess = t["clustered"], t["excess_over_drift"]
        lines.append(
            f"{name}: {t['count']:,} trades, mean {_f(c['mean_pct'])}% ({t['clustered_by']}-clustered 95% "
            f"CI {_f(c['ci_low_pct'])}..{_f(c['ci_high_pct'])}, {c['clusters']} clusters); market drift "
            f"{_f(t['market_drift_mean_pct'])}%, excess {_f(excess['mean_pct'])}%; smallest detectable "
            f"edge {_f(t['min_detectable_effect_pct'], '.4f')}%; DSR {_f(t['deflated_sharpe'], '.3f')} over "
            f"{trust['trials_counted']} policies; break-even round trip "
            f"{_f(t['break_even_round_trip_pct'], '.3f')}% (paying tier: {t['paying_tier'] or 'none'})")
    return lines
