"""The study's finalists as a Markdown table, read from its research.json (`research summary`).

The README's "What the model is worth" is pasted from this output, so the published figures are the lab's
own, not retyped: every finalist's trades, mean net return, clustered interval, excess over the market's
drift, the mean without its best five days, the deflated Sharpe ratio and the real loop's confirmation,
then one line with the study's size, its PBO and the best candidate's detectable edge and break-even.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

HEADER = ("| trial | trades | mean net / trade | {by}ly 95% CI | over market drift (CI) "
          "| without best 5 days | deflated Sharpe | real loop |\n"
          "| --- | --- | --- | --- | --- | --- | --- | --- |")


def _pct(value: Any, places: int = 3) -> str:
    return "n/a" if value is None else f"{value:+.{places}f}%"


def _span(figures: Mapping[str, Any] | None) -> str:
    if not figures or figures.get("ci_low_pct") is None:
        return "n/a"
    return f"{figures['ci_low_pct']:+.3f} .. {figures['ci_high_pct']:+.3f}%"


def _real_loop(check: Mapping[str, Any] | None) -> str:
    if not check:
        return "not replayed"
    same, total = check.get("identical_trades"), check.get("core_trades")
    if same is not None and total is not None:
        return f"{same} of {total} identical"
    return str(check.get("note", "replayed"))


def _row(c: Mapping[str, Any]) -> str:
    drift = c.get("excess_over_drift") or {}
    drift_text = "n/a" if not drift else f"{_pct(drift.get('mean_pct'))} ({_span(drift)})"
    best5 = (c.get("without_best_5_days") or {}).get("mean_pct")
    dsr = c.get("deflated_sharpe")
    return (f"| {c['trial']} | {c['count']:,} | {_pct(c.get('mean_net_pct'))} | {_span(c.get('clustered'))} "
            f"| {drift_text} | {_pct(best5)} | {'n/a' if dsr is None else f'{dsr:.4f}'} "
            f"| {_real_loop(c.get('real_loop'))} |")


def _study_line(payload: Mapping[str, Any]) -> str:
    trials, study = payload.get("trials", {}), payload.get("study", {})
    counted = study.get("trials_counted", sum(trials.values()) if trials else 0)
    complete, pruned = trials.get("complete", 0), trials.get("pruned", 0)
    parts = [f"{counted:,} trials ({complete:,} complete, {pruned:,} pruned)"]
    if study.get("pbo") is not None:
        parts.append(f"PBO {study['pbo']:.2f} (CSCV, {study.get('pbo_blocks')} blocks, "
                     f"{study.get('pbo_splits'):,} splits)")
    candidates = payload.get("candidates") or []
    if candidates:
        best = candidates[0]
        detectable = _pct(best.get("min_detectable_effect_pct"))
        parts.append(f"best trial {best['trial']}: detectable edge {detectable}, break-even round trip "
                     f"{best.get('break_even_round_trip_pct', 0):.3f}% against "
                     f"{best.get('priced_round_trip_pct', 0):.3f}% paid (paying tier: "
                     f"{best.get('paying_tier') or 'none'})")
    return "; ".join(parts) + "."


def summary_markdown(payload: Mapping[str, Any]) -> str:
    """The finalists' table, the study line and the verdict, in the README's format."""
    candidates = payload.get("candidates") or []
    by = candidates[0].get("clustered_by", "week") if candidates else "week"
    lines = [f"Study `{payload.get('study_name')}` ({payload.get('data')}; {payload.get('written')}):", "",
             HEADER.format(by="dai" if by == "day" else by)]
    lines += [_row(c) for c in candidates]
    lines += ["", _study_line(payload), "", f"Verdict: {payload.get('verdict')}"]
    return "\n".join(lines) + "\n"
