"""The lab's report on disk: research.json (every figure, for machines) and research.html (plotly charts:
net return per trial, the finalists with their clustered intervals against the market drift, the
break-even round trip against the fee tiers; then every trust figure of every finalist as a table).
The HTML is self-contained: plotly.js is written inline once (offline viewing)."""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
from plotly.io import to_html


def _trials_chart(payload: Mapping[str, Any]) -> go.Figure:
    figure = go.Figure()
    for state, colour in (("complete", "#1f77b4"), ("pruned", "#bbbbbb")):
        rows = [r for r in payload["trial_values"] if r["state"] == state and r["mean_net_pct"] is not None]
        figure.add_trace(go.Scatter(x=[r["trial"] for r in rows], y=[r["mean_net_pct"] for r in rows],
                                    mode="markers", name=state, marker={"color": colour},
                                    text=[f"{r['count']} trades, {r['interval_minutes']} min bars, target "
                                          f"{r.get('target', 'outcome')}, pairs {r.get('universe', 'all')}/"
                                          f"{r.get('quote_asset', 'all')}" for r in rows]))
    figure.add_hline(y=0, line_dash="dot")
    figure.update_layout(title="Mean net return per trade of every trial (test periods, after costs)",
                         xaxis_title="trial", yaxis_title="% per trade", height=380)
    return figure


def _candidates_chart(payload: Mapping[str, Any]) -> go.Figure:
    rows = payload["candidates"]
    names = [f"trial {c['trial']}" for c in rows]
    means = [c["clustered"]["mean_pct"] for c in rows]
    high = [(c["clustered"]["ci_high_pct"] or m) - m for c, m in zip(rows, means, strict=True)]
    low = [m - (c["clustered"]["ci_low_pct"] or m) for c, m in zip(rows, means, strict=True)]
    figure = go.Figure(go.Bar(x=names, y=means, name="mean net % (clustered 95% CI, t(G-1))",
                              error_y={"type": "data", "array": high, "arrayminus": low}))
    figure.add_trace(go.Scatter(x=names, y=[c["market_drift_benchmark_mean_pct"] for c in rows],
                                mode="markers", marker={"symbol": "x", "size": 12}, name="market drift"))
    figure.update_layout(title="Finalists against the market drift (every bar's trade, same exits and costs)",
                         yaxis_title="% per trade", height=380)
    return figure


def _tiers_chart(payload: Mapping[str, Any]) -> go.Figure:
    figure = go.Figure()
    if payload["candidates"]:
        best = payload["candidates"][0]
        tiers = best["fee_tiers"]
        figure.add_trace(go.Bar(x=[t["tier"] for t in tiers], y=[t["round_trip_pct"] for t in tiers],
                                marker={"color": ["#2ca02c" if t["pays"] else "#d62728" for t in tiers]},
                                name="tier round trip"))
        if best["break_even_round_trip_pct"] is not None:
            figure.add_hline(y=best["break_even_round_trip_pct"], line_dash="dash",
                             annotation_text=f"break-even {best['break_even_round_trip_pct']:.3f}%")
    figure.update_layout(title="Best finalist: each fee tier's round trip (fees + slippage) vs break-even "
                               "(green: mean > 0 at that tier; not a proof, see its interval)",
                         yaxis_title="% round trip", height=380)
    return figure


def _groups(groups: Mapping[str, Any]) -> str:
    """{name: clustered figures} as rows: trades, mean net, clustered 95% interval (calendar periods and
    market regimes alike)."""
    rows = ["<tr><th>part</th><th>trades</th><th>mean net %</th><th>clustered 95% CI</th></tr>"]
    for name, c in groups.items():
        ci = "n/a" if c["ci_low_pct"] is None else f"{c['ci_low_pct']:+.4f} .. {c['ci_high_pct']:+.4f}"
        mean = "n/a" if c["mean_pct"] is None else f"{c['mean_pct']:+.4f}"
        rows.append(f"<tr><td>{html.escape(name)}</td><td>{c['count']}</td><td>{mean}</td><td>{ci}</td></tr>")
    return f"<table>{''.join(rows)}</table>"


def _regimes(regimes: Mapping[str, Any] | None) -> str:
    if not regimes:
        return "<code>none</code>"
    parts = [f"<b>{html.escape(part)}</b>{_groups(regimes[part])}"
             for part in ("drift", "volatility", "combined")]
    return f"<p>{html.escape(regimes['rule'])}</p>{''.join(parts)}"


def _table(candidate: Mapping[str, Any]) -> str:
    rows = []
    for key, value in candidate.items():
        if key in ("per_period", "per_regime"):  # the calendar periods and the market regimes, side by side
            shown = _groups(value) if key == "per_period" else _regimes(value)
            rows.append(f"<tr><th>{html.escape(key)}</th><td>{shown}</td></tr>")
            continue
        text = json.dumps(value) if isinstance(value, dict | list) else str(value)
        rows.append(f"<tr><th>{html.escape(key)}</th><td><code>{html.escape(text)}</code></td></tr>")
    return f"<h3>trial {candidate['trial']}</h3><table>{''.join(rows)}</table>"


def render_html(payload: Mapping[str, Any]) -> str:
    figures = (_trials_chart(payload), _candidates_chart(payload), _tiers_chart(payload))
    charts = [to_html(f, full_html=False, include_plotlyjs=(i == 0)) for i, f in enumerate(figures)]
    study = payload["study"]
    intro = [payload["verdict"], f"study {payload.get('study_name')}: trials {payload['trials']}; "
             f"N for the deflated Sharpe = {study['trials_counted']}; PBO {study['pbo']} over "
             f"{study['pbo_splits']} CSCV splits of {study['pbo_blocks']} blocks",
             f"data: {payload.get('data')}", f"periods: {payload.get('periods')}",
             f"command: {payload.get('command')}; {payload.get('trials_per_hour')} trials/hour"]
    title = "CryptoScalper edge lab"
    if payload.get("frozen_at") is not None:  # a holdout: say what was frozen and when (issue 16 item 3)
        title += ": holdout"
        intro.insert(1, f"holdout of the candidate list frozen at {payload['frozen_at']} (list hash "
                        f"{payload.get('list_hash')}), each candidate evaluated once on data no study read; "
                        f"written {payload.get('written')}")
    return "\n".join([
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title><style>"
        "body{font-family:sans-serif;max-width:1200px;margin:2em auto}td,th{border:1px solid #ccc;"
        "padding:2px 6px;text-align:left;vertical-align:top}table{border-collapse:collapse}</style>",
        "</head><body>",
        f"<h1>{title}</h1><ul>", *[f"<li>{html.escape(str(line))}</li>" for line in intro],
        "</ul>", *charts, "<h2>Finalists: every trust figure</h2>",
        *[_table(c) for c in payload["candidates"]], "</body></html>"])


def write_lab_report(folder: Path, payload: Mapping[str, Any]) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"json": folder / "research.json", "html": folder / "research.html"}
    paths["json"].write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
    paths["html"].write_text(render_html(payload) + "\n", encoding="utf-8")
    return paths
