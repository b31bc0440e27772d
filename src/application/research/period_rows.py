"""Rows of the edge report for one test period: deciles of expected value, the gated trades and the two
baselines, every one simulated with the same exits and costs (domain.outcome via PeriodBars).

- deciles: the test bars ranked by the model's score (expected value is monotone in it), ten equal
  counts, decile 10 = the highest expected value;
- random entries: as many bars as the model selected (its top decile when the gate is closed), drawn
  uniformly (seeded) among the bars that can be traded;
- scanner rule alone: each minute, the pair with the best scanner quick score when one of its alerts fires
  and the score exceeds `min_quick_score` (application.backtest.baselines' rule, without the one-position
  limit).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from application.research.period_bars import PeriodBars
from domain.ev_gate import trade_stats

Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]
MIN_QUICK_SCORE = 0.5


class TimedRows(Protocol):
    """What the rows read of a test period when the scanner's entries are given: the rows' open times."""

    @property
    def time_ms(self) -> npt.NDArray[np.int64]: ...

    def __len__(self) -> int: ...


@dataclass(frozen=True)
class EdgeRow:
    name: str
    count: int
    mean_pct: float
    win_rate: float
    mean_expected_pct: float = math.nan
    total_pct: float = 0.0
    max_drawdown_pct: float = 0.0

    def as_dict(self) -> dict[str, float | int | str | None]:
        def clean(value: float) -> float | None:
            return None if math.isnan(value) else round(value, 6)

        return {"name": self.name, "count": self.count, "mean_pct": clean(self.mean_pct),
                "win_rate": clean(self.win_rate), "mean_expected_pct": clean(self.mean_expected_pct),
                "total_pct": clean(self.total_pct), "max_drawdown_pct": clean(self.max_drawdown_pct)}


def row_of(name: str, net: Floats, chosen: Bools, time_ms: npt.NDArray[np.int64],
           expected: Floats | None = None) -> EdgeRow:
    keep = chosen & np.isfinite(net)
    stats = trade_stats(net[keep], time_ms[keep])
    mean_ev = float(np.mean(expected[keep])) if expected is not None and keep.any() else math.nan
    return EdgeRow(name, stats.count, stats.mean_pct, stats.win_rate, mean_ev, stats.total_pct,
                   stats.max_drawdown_pct)


def decile_masks(score: Floats, tradable: Bools, bins: int = 10) -> list[Bools]:
    """Equal-count bins of the tradable rows by score, lowest first (ties keep row order)."""
    index = np.flatnonzero(tradable)
    order = index[np.argsort(score[index], kind="stable")]
    masks = []
    for part in np.array_split(order, bins):
        mask = np.zeros(len(score), dtype=np.bool_)
        mask[part] = True
        masks.append(mask)
    return masks


def random_entries(tradable: Bools, count: int, seed: int) -> Bools:
    index = np.flatnonzero(tradable)
    picked = np.random.default_rng(seed).choice(len(index), size=min(count, len(index)), replace=False)
    mask = np.zeros(len(tradable), dtype=np.bool_)
    mask[index[picked]] = True
    return mask


def scanner_entries(bars: PeriodBars, min_quick_score: float = MIN_QUICK_SCORE) -> Bools:
    """The best-scored pair of each minute, when its alert fires and its score clears the bar."""
    order = np.lexsort((bars.symbol, -bars.scan_score, bars.time_ms))
    first = np.r_[True, bars.time_ms[order][1:] != bars.time_ms[order][:-1]]
    top = order[first]
    mask = np.zeros(len(bars), dtype=np.bool_)
    mask[top] = bars.scan_alert[top] & (bars.scan_score[top] > min_quick_score)
    return mask


def period_rows(bars: TimedRows, net: Floats, score: Floats, expected: Floats, selected: Bools,
                seed: int, scanner: Bools | None = None) -> tuple[list[EdgeRow], dict[str, Bools]]:
    """The decile rows, then the gated trades, the baselines and all bars; with the masks used.
    `scanner`: the scanner rule's entries when already found (else read from `bars`, PeriodBars)."""
    if scanner is None:
        if not isinstance(bars, PeriodBars):
            raise TypeError("period_rows needs PeriodBars or the scanner rule's entries")
        scanner = scanner_entries(bars)
    tradable = np.isfinite(net)
    deciles = decile_masks(score, tradable)
    rows = [row_of(f"model decile {i}", net, mask, bars.time_ms, expected)
            for i, mask in enumerate(deciles, start=1)]
    top = deciles[-1]
    del deciles  # the other nine masks: a test period can hold millions of rows
    count = int((selected & tradable).sum()) or int(top.sum())
    masks = {"selected": selected, "top decile": top, "random": random_entries(tradable, count, seed),
             "scanner": scanner & tradable}
    rows += [row_of("model: EV gate (selected)", net, selected, bars.time_ms, expected),
             row_of(f"random entries (n = {count})", net, masks["random"], bars.time_ms, expected),
             row_of("scanner rule alone", net, masks["scanner"], bars.time_ms, expected),
             row_of("all bars", net, tradable, bars.time_ms, expected)]
    return rows, masks
