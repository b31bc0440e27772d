"""Inline SVG line charts for the backtest report (no plotting library): a step line over time."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from html import escape

WIDTH, HEIGHT, PAD_LEFT, PAD_RIGHT, PAD_Y = 900, 260, 70, 20, 28


def _label(time_ms: int) -> str:
    return datetime.fromtimestamp(time_ms / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M")


def step_chart(points: Sequence[tuple[int, float]], *, title: str, unit: str, colour: str,
               end_ms: int | None = None, fill: bool = False) -> str:
    """A step line of (time ms, value): each value holds until the next point (equity only changes at
    events), drawn to `end_ms` when given."""
    if not points:
        return f"<p>{escape(title)}: no data</p>"
    times = [t for t, _ in points] + ([end_ms] if end_ms is not None and end_ms > points[-1][0] else [])
    values = [v for _, v in points]
    t0, t1 = times[0], max(times[-1], times[0] + 1)
    low, high = min(values), max(values)
    if high - low < 1e-12:
        low, high = low - 1, high + 1
    inner_w, inner_h = WIDTH - PAD_LEFT - PAD_RIGHT, HEIGHT - 2 * PAD_Y

    def x(t: int) -> float:
        return PAD_LEFT + (t - t0) / (t1 - t0) * inner_w

    def y(v: float) -> float:
        return PAD_Y + (high - v) / (high - low) * inner_h

    path: list[str] = []
    for i, (t, v) in enumerate(points):
        if i:
            path.append(f"{x(t):.1f},{y(points[i - 1][1]):.1f}")
        path.append(f"{x(t):.1f},{y(v):.1f}")
    path.append(f"{x(times[-1]):.1f},{y(values[-1]):.1f}")
    area = ""
    if fill:
        base = y(max(min(0.0, high), low))
        area = (f'<polygon fill="{colour}" fill-opacity="0.25" stroke="none" points="{x(t0):.1f},{base:.1f} '
                + " ".join(path) + f' {x(times[-1]):.1f},{base:.1f}"/>')
    ticks = "".join(
        f'<text x="{PAD_LEFT - 6}" y="{y(v) + 4:.1f}" text-anchor="end" font-size="11">{v:.4g}{unit}</text>'
        f'<line x1="{PAD_LEFT}" x2="{WIDTH - PAD_RIGHT}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#ddd"/>'
        for v in (low, (low + high) / 2, high))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" role="img" '
            f'aria-label="{escape(title)}"><title>{escape(title)}</title>'
            f'<text x="{PAD_LEFT}" y="18" font-size="14" font-weight="bold">{escape(title)}</text>{ticks}'
            f'{area}<polyline fill="none" stroke="{colour}" stroke-width="1.5" points="{" ".join(path)}"/>'
            f'<text x="{PAD_LEFT}" y="{HEIGHT - 6}" font-size="11">{_label(t0)}</text>'
            f'<text x="{WIDTH - PAD_RIGHT}" y="{HEIGHT - 6}" font-size="11" text-anchor="end">'
            f'{_label(times[-1])}</text></svg>')
