"""Trust figures for `report edge` run as a lab preset: the EV gate's trades and the model's top decile,
pooled over the test periods, against every bar's trade (the market drift) with the same exits and costs.

The deflated Sharpe ratio counts the exit policies tried as the trials. The walk-forward keeps only the
chosen policy's test trades, so the variance of the trials' Sharpe ratios is taken as a no-skill trial's
sampling variance, 1/T for T days (what trials without skill would show).
The break-even and fee tiers are priced as the lab prices a candidate (lab_costs.lab_costing): with a fee
table (execution.symbol_fees), at what each trade paid, its symbol's rates, the table's own symbols alike
in every tier; without one, at the default rates. The JSON and the text say which.
"""

from __future__ import annotations

from dataclasses import replace
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
    parts = [(f.trades[name].net, f.trades[name].time) for f in report.folds if name in f.trades]
    if not parts:
        return Trades(np.empty(0), np.empty(0, np.int64), np.empty(0, dtype=np.str_))
    net, stored = (np.concatenate(p) for p in zip(*parts, strict=True))
    time = entry_times_ms(name, stored)
    if labelled:
        period = np.concatenate([np.full(len(f.trades[name].net), f.bounds.test_period)
                                 for f in report.folds if name in f.trades]).astype(np.str_)
    else:
        period = np.broadcast_to(np.array("", dtype=np.str_), net.shape)
    return Trades(net.astype(np.float64), time.astype(np.int64), period)


def pooled_costing(report: EdgeReport, name: str) -> Costing:
    """How the pooled trades of this name were priced, as the lab prices a candidate's
    (lab_costs.lab_costing): with a fee table, their mean round trip, and the share of them on the table's
    own symbols at those trades' mean round trip (each trade its symbol's, read from its code)."""
    given = report.config.costs
    default = given.default if isinstance(given, SymbolCosts) else given
    plain = Costing(default.round_trip_pct, maker_entry=default.maker_entry,
                    slippage_pct=default.slippage_pct * 100)
    stored = [f.trades[name] for f in report.folds if name in f.trades]
    if not isinstance(given, SymbolCosts) or not given.own or not stored:
        return plain
    paid = np.concatenate([given.round_trips_pct(s.symbols)[s.symbol] for s in stored])
    own = np.concatenate([np.isin(np.asarray(s.symbols, dtype=np.str_), list(given.own))[s.symbol]
                          for s in stored])
    if not own.any():
        return plain
    return replace(plain, round_trip_pct=float(paid.mean()), own_share=float(own.mean()),
                   own_round_trip_pct=float(paid[own].mean()))


def _rates(costing: Costing) -> dict[str, Any]:
    """Which rates priced the break-even: the default's, or each symbol's of the fee table."""
    return {"rates": "per symbol (fee table)" if costing.own_share else "default",
            "priced_at_round_trip_pct": costing.round_trip_pct, "own_rates_share": costing.own_share,
            "own_round_trip_pct": costing.own_round_trip_pct if costing.own_share else None}


def edge_trust(report: EdgeReport, *, seed: int = 0) -> dict[str, Any]:
    given = report.config.costs
    benchmark = _pooled(report, "all bars", labelled=False)  # trust_figures reads its nets and times
    out: dict[str, Any] = {"trials_counted": len(report.config.policies),
                           "fee_table": sorted(given.own) if isinstance(given, SymbolCosts) else []}
    for name in ("EV gate", "model decile 10"):
        trades = _pooled(report, name)
        if not len(trades):
            out[name] = {"count": 0}
            continue
        costing = pooled_costing(report, name)
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
                     "paying_tier": t.break_even.cheapest_paying, "break_even_rates": _rates(costing)}
    return out


def _f(value: float | None, spec: str = "+.4f") -> str:
    return "n/a" if value is None or value != value else format(value, spec)


def _rates_text(rates: dict[str, Any]) -> str:
    if rates["rates"] == "default":
        return f"at the default rates ({_f(rates['priced_at_round_trip_pct'], '.3f')}% paid)"
    return (f"at each symbol's rates ({_f(rates['priced_at_round_trip_pct'], '.3f')}% paid on average; "
            f"{rates['own_rates_share']:.1%} of the trades on the fee table's own rates, "
            f"{_f(rates['own_round_trip_pct'], '.3f')}%)")


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
            f"{_f(t['break_even_round_trip_pct'], '.3f')}% {_rates_text(t['break_even_rates'])} "
            f"(paying tier: {t['paying_tier'] or 'none'})")
    return lines
