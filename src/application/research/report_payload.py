"""The edge report as data: the JSON payload (every figure) and the short summary a model card records."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from application.research.committed_model import CommittedFigures
from application.research.period_rows import EdgeRow
from application.research.reproduce_spec_label import Reproduction
from application.research.walk_forward import EdgeReport
from domain.symbol_costs import SymbolCosts

SUMMARY_ROWS = {"ev_gate": "model: EV gate", "top_decile": "model decile 10", "random": "random",
                "scanner": "scanner", "all_bars": "all bars"}


def plain(value: Any) -> Any:
    """Dataclasses -> dicts, NaN -> None (strict JSON); costs without a symbol of their own as TradeCosts."""
    if isinstance(value, SymbolCosts) and not value.own:
        return plain(value.default)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)
                if f.metadata.get("report", True)}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def report_payload(report: EdgeReport, reproduction: Reproduction | None,
                   committed: CommittedFigures | None, meta: dict[str, Any]) -> dict[str, Any]:
    return {"meta": meta, "verdict": report.verdict(), "config": plain(report.config),
            "seconds": report.seconds, "folds": [plain(fold) for fold in report.folds],
            "reproduction": plain(reproduction), "committed_model": plain(committed)}


def _row(row: EdgeRow) -> dict[str, Any]:
    def clean(value: float) -> float | None:
        return None if math.isnan(value) else round(value, 4)

    return {"count": row.count, "mean_net_pct": clean(row.mean_pct), "win_rate": clean(row.win_rate)}


def _find(rows: tuple[EdgeRow, ...], prefix: str) -> EdgeRow:
    return next(r for r in rows if r.name.startswith(prefix))


def edge_summary(report: EdgeReport, committed: CommittedFigures | None, command: str,
                 recorded_utc: str) -> dict[str, Any]:
    """Per test period: policy, gate, and mean net / win rate / count of the key rows; the model's own."""
    periods = []
    for fold in report.folds:
        entry: dict[str, Any] = {
            "test_period": fold.bounds.test_period, "exit_policy": fold.policy.name,
            "ev_gate_pct": fold.gate.threshold_pct, "auc": fold.test_auc, "atr_auc": fold.atr_auc}
        entry.update({key: _row(_find(fold.rows, prefix)) for key, prefix in SUMMARY_ROWS.items()})
        periods.append(entry)
    out: dict[str, Any] = {"command": command, "recorded_utc": recorded_utc, "verdict": report.verdict(),
                           "walk_forward": periods}
    if committed is not None:
        out["this_model"] = {"period": committed.period, "exit_policy": committed.policy,
                             "margin_pct": committed.margin_pct,
                             **{key: _row(_find(committed.rows, prefix))
                                for key, prefix in SUMMARY_ROWS.items()}}
    return out
