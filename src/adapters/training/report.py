"""The training report beside the model: <stem>.report.json, .report.md and .report.html.

The HTML shows plotly charts (reliability, precision by threshold, AUC per month, feature importance,
walk-forward folds; plotly.js embedded, so it opens offline) and the tables. Tables are built once as
(title, header, rows) and rendered to both Markdown and HTML.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from adapters.onnx.card import ModelCard
from adapters.storage.plotly_page import page, table_html
from adapters.training import report_charts
from ports.training import FittedSplit

if TYPE_CHECKING:
    from adapters.training.fit import ScalperFit

Table = tuple[str, list[str], list[list[str]]]
PARTS = ("train", "validation", "test")
TITLE = "CryptoScalper model report"
CODE_SPAN = re.compile(r"`([^`]+)`")


def iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M")


def fmt(value: Any, digits: int = 4) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.{digits}f}"
    return str(value)


def _tables(card: ModelCard, fit: ScalperFit, folds: Sequence[FittedSplit]) -> list[Table]:
    names = ("rows", "base_rate", "auc", "auc_raw", "baseline_auc", "auc_within_volatility_deciles", "brier",
             "brier_raw", "brier_base_rate", "log_loss", "move_mae", "move_correlation")
    head = [[name] + [fmt(fit.parts[p]["summary"].get(name)) for p in PARTS] for name in names]
    ranges = [[p, iso(r.start_ms), iso(r.end_ms), fmt(r.rows), str(len(r.symbols))]
              for p, r in (("train", card.train), ("validation", card.validation), ("test", card.test))]
    test = fit.parts["test"]
    precision = [[fmt(r["threshold"], 2), fmt(r["signals"]), fmt(r["precision"]),
                  fmt(r["signals_per_day"], 1)] for r in test["precision_by_probability"]]
    at = [[which, fmt(test[key]["signals"]), fmt(test[key]["precision"]),
           fmt(test[key]["signals_per_day"], 1), fmt(test[key]["mean_max_move_pct"])]
          for which, key in (("configured", "at_configured_thresholds"),
                             ("recommended", "at_recommended_thresholds"))]
    reliability = [[f"{r['low']:.1f}-{r['high']:.1f}", fmt(r["count"]), fmt(r["mean_predicted"]),
                    fmt(r["observed"])] for r in test["reliability"]]
    symbols = [[s, fmt(v["rows"]), fmt(v["base_rate"]), fmt(v["auc"])] for s, v in test["per_symbol"].items()]
    months = [[month, fmt(v["rows"]), fmt(v["base_rate"]), fmt(v["auc"]), fmt(v["baseline_auc"])]
              for month, v in test["per_month"].items()]
    importance = [[name, f"{share:.4f}"] for name, share in list(fit.importance.items())[:20]]
    fold_rows = [[str(i), iso(f.split.train.start_ms), iso(f.split.validation.start_ms),
                  iso(f.split.test.start_ms), iso(f.split.test.end_ms),
                  fmt(f.metrics["validation"].get("auc")), fmt(f.metrics["test"].get("auc")),
                  fmt(f.metrics["test"].get("baseline_auc")), fmt(f.metrics["test"].get("brier"))]
                 for i, f in enumerate(folds, start=1)]
    return [
        ("Headline figures", ["metric", *PARTS], head),
        ("Periods (UTC, end exclusive)", ["part", "from", "to", "rows", "symbols"], ranges),
        ("Test: precision and signal count by calibrated probability threshold",
         ["p >=", "signals", "precision", "signals/day"], precision),
        ("Test: at the configured and recommended thresholds (probability, confidence, move)",
         ["thresholds", "signals", "precision", "signals/day", "mean max move %"], at),
        ("Test: reliability (calibrated)", ["bin", "rows", "mean predicted", "observed"], reliability),
        ("Test: AUC per symbol", ["symbol", "rows", "base rate", "AUC"], symbols),
        ("Test: AUC per month", ["month", "rows", "base rate", "AUC", "baseline AUC"], months),
        ("Feature importance (share of split gain, top 20)", ["feature", "share"], importance),
        ("Walk-forward folds (the last one is the published model)",
         ["fold", "train from", "validation from", "test from", "test to", "val AUC", "test AUC",
          "baseline AUC", "test Brier"], fold_rows),
    ]


def _intro(card: ModelCard, warnings: Sequence[str]) -> list[str]:
    t = card.recommended_thresholds
    label = card.label
    lines = [f"Model `{card.model_version}` ({card.onnx_file}, sha256 `{card.onnx_sha256[:16]}...`)",
             f"Label: {label.kind}, {label.description}",
             f"Features: {len(card.feature_names)} (version {card.feature_version}); "
             f"calibration: {card.calibration.method} on validation only; purge gap {card.gap_ms // 1000} s",
             f"Data: {', '.join(card.data_sources) or 'n/a'}; sampling: {card.row_sampling}",
             f"Recommended thresholds (validation): p >= {t.min_probability}, confidence >= "
             f"{t.min_confidence}, move >= {t.min_predicted_move_pct}%: {t.rationale}",
             "Baseline AUC = the AUC of atr_pct_14 alone (volatility), to show what the model adds; "
             "'within volatility deciles' = the model's AUC among rows of similar ATR%."]
    policy = label.exit_policy
    if policy is not None and policy.symbol_costs:  # the fee table the outcome labels were priced with
        own = ", ".join(f"{s} {c.round_trip_cost_pct:.3f}%" for s, c in policy.symbol_costs.items())
        lines.insert(2, f"Label costs: a {policy.round_trip_cost_pct:.3f}% round trip, but at their own "
                        f"rates: {own}")
    if card.ev_gate is not None:  # issue 8: what the model may trade, fitted on validation only
        gate = card.ev_gate
        state = "CLOSED: the model does not trade" if gate.closed else "open"
        lines.append(f"EV gate ({state}): expected net return > {gate.min_expected_net_return_pct:.4f}% "
                     f"after {gate.round_trip_cost_pct:.3f}% round-trip costs; {gate.rationale}")
    lines += [f"WARNING: {w}" for w in warnings] or ["No red flag raised (spec 10.3 checks)."]
    return lines


def _markdown(intro: list[str], tables: list[Table]) -> str:
    out = ["# CryptoScalper model report", ""] + [f"- {line}" for line in intro] + [""]
    for title, header, rows in tables:
        out += [f"## {title}", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        out += ["| " + " | ".join(row) + " |" for row in rows] + [""]
    return "\n".join(out)


def _inline(line: str) -> str:
    """One intro line as HTML: escaped, with Markdown `code` spans shown as code, not as backticks."""
    return CODE_SPAN.sub(r"<code>\1</code>", html.escape(line))


def _html(intro: list[str], tables: list[Table], charts: list[str]) -> str:
    items = "".join(f"<li{' class=warn' if line.startswith('WARNING') else ''}>{_inline(line)}</li>"
                    for line in intro)
    body = [f"<ul>{items}</ul>", "<h2>Charts</h2>", *charts]
    body += [f"<h2>{html.escape(title)}</h2>{table_html(header, rows)}" for title, header, rows in tables]
    return page(TITLE, "\n".join(body))


def _charts(fit: ScalperFit, folds: Sequence[FittedSplit]) -> list[str]:
    test = fit.parts["test"]
    fold_rows = [(f"fold {i}", f.metrics["test"].get("auc"), f.metrics["test"].get("baseline_auc"))
                 for i, f in enumerate(folds, start=1)]
    return [report_charts.reliability(test["reliability"], test["reliability_raw"]),
            report_charts.precision_by_threshold(test["precision_by_probability"]),
            report_charts.auc_per_month(test["per_month"]), report_charts.importance(fit.importance),
            *([report_charts.folds(fold_rows)] if len(fold_rows) > 1 else [])]


def write_report(stem: Path, card: ModelCard, chosen: FittedSplit, folds: Sequence[FittedSplit],
                 warnings: Sequence[str]) -> list[Path]:
    fit: ScalperFit = chosen.model  # type: ignore[assignment]
    payload = {"model_version": card.model_version, "warnings": list(warnings),
               "card": card.model_dump(mode="json", exclude={"calibration", "expected_net_return"}),
               "parts": fit.parts, "feature_importance": fit.importance,
               "folds": [{"split": {p: [r.start_ms, r.end_ms] for p, r in f.split.parts().items()},
                          "metrics": f.metrics} for f in folds]}
    intro, tables = _intro(card, warnings), _tables(card, fit, folds)
    paths = [stem.parent / f"{stem.name}.report.{ext}" for ext in ("json", "md", "html")]
    paths[0].write_text(json.dumps(payload, indent=1, default=float) + "\n", encoding="utf-8")
    paths[1].write_text(_markdown(intro, tables) + "\n", encoding="utf-8")
    paths[2].write_text(_html(intro, tables, _charts(fit, folds)), encoding="utf-8")
    return paths
