"""One self-contained HTML page of plotly charts and tables: plotly.js is embedded once in the page, so
the charts work with no network (the reports are opened from disk, often offline).

Shared by the backtest, model and edge reports; each builds its figures and hands them here as HTML parts.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from html import escape

import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

STYLE = """body{font-family:system-ui,sans-serif;max-width:1200px;margin:1.5em auto;padding:0 1em;
color:#1f2328}
h1{font-size:1.6em}h2{margin-top:1.6em;border-bottom:1px solid #d0d7de;padding-bottom:.2em}
table{border-collapse:collapse;margin:.6em 0 1.2em;font-size:.9em}
td,th{border:1px solid #d0d7de;padding:3px 8px;text-align:right}th{background:#f6f8fa;text-align:center}
td:first-child,th:first-child,td.text{text-align:left}.note{background:#fff8c5;border:1px solid #d4a72c;
padding:.6em 1em;border-radius:6px}.warn{background:#ffebe9;border:1px solid #cf222e;padding:.6em 1em;
border-radius:6px}.scroll{max-height:32em;overflow:auto}code{background:#f6f8fa;padding:0 .3em}
.muted{color:#656d76}"""
NUMBER = re.compile(r"[+-]?(\d|n/a$|inf$)")
CONFIG = {"displaylogo": False, "responsive": True}
COLOURS = ("#1f6feb", "#bc4c00", "#1a7f37", "#6e7781", "#8250df", "#cf222e")


def figure_html(figure: go.Figure, height: int = 380) -> str:
    """A chart's div and script (plotly.js itself comes once, from `page`)."""
    figure.update_layout(height=height, margin={"l": 60, "r": 20, "t": 50, "b": 40}, template="plotly_white",
                         legend={"orientation": "h", "y": -0.15})
    return str(figure.to_html(full_html=False, include_plotlyjs=False, config=CONFIG))


def table_html(header: Sequence[str], rows: Sequence[Sequence[str]], *, scroll: bool = False,
               empty: str = "none") -> str:
    if not rows:
        return f"<p class='muted'>{escape(empty)}</p>"
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(_cell(c) for c in row) + "</tr>" for row in rows)
    table = f"<table><tr>{head}</tr>{body}</table>"
    return f"<div class='scroll'>{table}</div>" if scroll else table


def _cell(text: str) -> str:
    """Figures align right, words left."""
    words = not NUMBER.match(text)
    return f"<td class='text'>{escape(text)}</td>" if words else f"<td>{escape(text)}</td>"


def page(title: str, body: str) -> str:
    """The whole document: plotly.js inline in the head, then the body's parts."""
    return (f"<!doctype html>\n<html lang='en'><head><meta charset='utf-8'><title>{escape(title)}</title>"
            f"<style>{STYLE}</style>\n<script>{get_plotlyjs()}</script></head>\n"
            f"<body><h1>{escape(title)}</h1>\n{body}\n</body></html>\n")


def thin(points: Sequence[tuple[int, float]], max_points: int = 3000) -> list[tuple[int, float]]:
    """At most ~max_points of a step curve for drawing, keeping each bucket's first, lowest, highest and
    last point so no peak or trough (the drawdown) disappears. The CSV files keep every point."""
    if len(points) <= max_points:
        return list(points)
    size = math.ceil(len(points) / (max_points / 4))
    out: list[tuple[int, float]] = []
    for start in range(0, len(points), size):
        bucket = points[start:start + size]
        keep = {0, len(bucket) - 1, min(range(len(bucket)), key=lambda i: bucket[i][1]),
                max(range(len(bucket)), key=lambda i: bucket[i][1])}
        out += [bucket[i] for i in sorted(keep)]
    return out
