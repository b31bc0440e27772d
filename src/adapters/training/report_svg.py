"""An inline SVG reliability plot: observed frequency against mean predicted probability per bin,
calibrated and raw, with the diagonal of perfect calibration. Marker area grows with the bin's rows."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

SIZE, MARGIN = 360, 40


def _xy(p: float, q: float) -> tuple[float, float]:
    span = SIZE - 2 * MARGIN
    return MARGIN + p * span, SIZE - MARGIN - q * span


def _series(table: Sequence[dict[str, Any]], colour: str, label: str, legend_y: int) -> list[str]:
    points = [(float(r["mean_predicted"]), float(r["observed"]), int(r["count"]))
              for r in table if r.get("count")]
    total = sum(c for _, _, c in points) or 1
    out = []
    if points:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in (_xy(p, q) for p, q, _ in points))
        out.append(f"<polyline points='{path}' fill='none' stroke='{colour}' stroke-width='1.5'/>")
    for p, q, count in points:
        x, y = _xy(p, q)
        radius = 2 + 8 * math.sqrt(count / total)
        out.append(f"<circle cx='{x:.1f}' cy='{y:.1f}' r='{radius:.1f}' fill='{colour}' fill-opacity='0.6'>"
                   f"<title>{label}: predicted {p:.3f}, observed {q:.3f}, {count} rows</title></circle>")
    out.append(f"<text x='{MARGIN + 10}' y='{legend_y}' fill='{colour}' font-size='12'>{label}</text>")
    return out


def reliability_svg(calibrated: Sequence[dict[str, Any]], raw: Sequence[dict[str, Any]]) -> str:
    lo, hi = _xy(0, 0), _xy(1, 1)
    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{SIZE}' height='{SIZE}' "
             f"viewBox='0 0 {SIZE} {SIZE}' role='img' aria-label='reliability plot'>",
             f"<rect x='{MARGIN}' y='{MARGIN}' width='{SIZE - 2 * MARGIN}' height='{SIZE - 2 * MARGIN}' "
             "fill='none' stroke='#999'/>",
             f"<line x1='{lo[0]}' y1='{lo[1]}' x2='{hi[0]}' y2='{hi[1]}' stroke='#bbb' "
             "stroke-dasharray='4'/>"]
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        x, y = _xy(tick, tick)
        parts.append(f"<text x='{x:.1f}' y='{SIZE - MARGIN + 14}' font-size='10' text-anchor='middle'>"
                     f"{tick:g}</text>")
        parts.append(f"<text x='{MARGIN - 6}' y='{y + 3:.1f}' font-size='10' text-anchor='end'>"
                     f"{tick:g}</text>")
    parts.append(f"<text x='{SIZE / 2}' y='{SIZE - 8}' font-size='11' text-anchor='middle'>"
                 "mean predicted probability</text>")
    parts.append(f"<text x='12' y='{SIZE / 2}' font-size='11' text-anchor='middle' "
                 f"transform='rotate(-90 12 {SIZE / 2})'>observed frequency</text>")
    parts += _series(raw, "#d62728", "raw LightGBM", MARGIN + 30)
    parts += _series(calibrated, "#1f77b4", "calibrated", MARGIN + 15)
    parts.append("</svg>")
    return "\n".join(parts)
