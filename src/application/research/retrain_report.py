"""`research retrain`'s comparison report: a JSON payload for machines and one screen of text."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from application.research.compare_models import Judged
from application.research.lab_payload import clustered
from application.research.retrain import RetrainOutcome


def _num(value: float, digits: int = 6) -> float | None:
    return round(float(value), digits) if math.isfinite(value) else None


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="minutes")


def judged_payload(j: Judged) -> dict[str, Any]:
    e, t = j.evidence, j.trust
    return {"name": j.name, "trades": e.trades, "mean_net_pct": _num(e.mean_net_pct),
            "ci_low_pct": _num(e.ci_low_pct), "ci_high_pct": _num(e.ci_high_pct),
            "clustered_by": t.cluster_by if t else None, "clustered": clustered(t.weekly) if t else None,
            "market_drift_mean_pct": _num(t.benchmark_mean_pct) if t else None,
            "excess_over_drift": clustered(t.excess) if t else None,
            "without_best_5_days": clustered(t.without_best_days) if t else None,
            "break_even_round_trip_pct": _num(t.break_even.round_trip_pct) if t else None,
            "deflated_sharpe": _num(e.deflated_sharpe), "pbo": _num(e.pbo),
            "lab_gate": {"open": j.gate.open, "failures": list(j.gate.failures)}}


def retrain_payload(outcome: RetrainOutcome, meta: Mapping[str, Any]) -> dict[str, Any]:
    c, fit = outcome.comparison, outcome.challenger
    train_start, test_start, end = outcome.window
    return {
        **meta, "promoted": c.promote, "decision": c.reason,
        "rule": ("promote when the challenger took at least min_trades trades and the lower end of its 95% "
                 "interval of the mean net return per trade is above the current model's (undefined = "
                 "minus infinity), unless the current model's lab gate is open and the challenger's is not"),
        "window": {"train_from": _iso(train_start), "test_from": _iso(test_start), "test_to": _iso(end),
                   "purge_ms": fit.bounds.gap_ms},
        "challenger_recipe": fit.params.as_dict(), "challenger_gate": fit.rationale,
        "challenger_margin_pct": fit.margin_pct,
        "parts": {name: vars(part) for name, part in fit.parts.items()},
        "pbo_two_models": _num(c.pbo), "challenger": judged_payload(c.challenger),
        "current": judged_payload(c.current),
    }


def _cell(value: Any, digits: int = 4) -> str:
    if value is None:
        return "n/a"
    return f"{value:+.{digits}f}" if isinstance(value, float) else str(value)


def retrain_text(payload: Mapping[str, Any]) -> str:
    w = payload["window"]
    rows = [("trades", "trades"), ("mean net % per trade", "mean_net_pct"), ("95% CI low %", "ci_low_pct"),
            ("95% CI high %", "ci_high_pct"), ("market drift mean %", "market_drift_mean_pct"),
            ("deflated Sharpe", "deflated_sharpe"), ("lab gate", "lab_gate")]
    new, old = payload["challenger"], payload["current"]
    lines = [f"research retrain {payload.get('written', '')}",
             f"window: challenger trained {w['train_from']} .. {w['test_from']} (minus the purge gap), both "
             f"tested {w['test_from']} .. {w['test_to']}",
             f"{'':24}{'challenger':>16}{old['name'][:26]:>28}"]
    for label, key in rows:
        a, b = new[key], old[key]
        if key == "lab_gate":
            a, b = ("open" if a["open"] else "closed"), ("open" if b["open"] else "closed")
        lines.append(f"{label:24}{_cell(a):>16}{_cell(b):>28}")
    lines.append(f"PBO over the two: {_cell(payload['pbo_two_models'], 3)}")
    lines.append(f"decision: {payload['decision']}")
    if not new["lab_gate"]["open"]:
        lines.append("challenger's gate: " + "; ".join(new["lab_gate"]["failures"]))
    for key in ("installed", "archived", "report"):
        if payload.get(key):
            lines.append(f"{key}: {payload[key]}")
    if payload.get("installed"):
        lines.append("the running bot keeps its model: the promoted one is loaded at its next start")
    return "\n".join(lines) + "\n"
