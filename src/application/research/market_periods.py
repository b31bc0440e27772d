"""The lab's market periods, taken from the data's own time (never from file names).

The union of every symbol's open times is cut into stretches wherever no symbol traded for `gap_hours`;
a stretch is then cut at the given boundaries (UTC days from the YAML) or, without them, into equal
pieces of at most `max_days`. Features are computed over each symbol's whole history (per gap-free
segment, looking only backwards), then the rows are dealt to the periods: a period's first bars are
already warmed up when the data before it is contiguous.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from application.research.period_bars import PeriodBars, build_period_bars
from application.research.resample import resample_klines
from domain.features import KlineArrays
from domain.scanner_rules import ScannerRules
from domain.time_units import DAY_MS, HOUR_MS, MINUTE_MS, day_text


@dataclass(frozen=True)
class PeriodPlan:
    start_ms: int
    end_ms: int  # exclusive

    @property
    def name(self) -> str:
        return f"{day_text(self.start_ms)}..{day_text(self.end_ms - 1)}"


def plan_periods(klines: Mapping[str, KlineArrays], *, gap_hours: float = 24.0, max_days: float | None = None,
                 boundaries_ms: Sequence[int] = ()) -> list[PeriodPlan]:
    times = np.unique(np.concatenate([k.open_time_ms for k in klines.values()] or [np.empty(0, np.int64)]))
    if not len(times):
        raise ValueError("the data holds no klines")
    breaks = np.flatnonzero(np.diff(times) > gap_hours * HOUR_MS) + 1
    plans: list[PeriodPlan] = []
    for part in np.split(times, breaks):
        start, end = int(part[0]), int(part[-1]) + MINUTE_MS
        cuts = sorted(b for b in boundaries_ms if start < b < end)
        if not boundaries_ms and max_days is not None:
            pieces = math.ceil((end - start) / (max_days * DAY_MS))
            cuts = [start + (end - start) * i // pieces for i in range(1, pieces)]
        edges = [start, *cuts, end]
        plans += [PeriodPlan(a, b) for a, b in itertools.pairwise(edges)]
    return plans


def research_bars(klines: Mapping[str, KlineArrays], plans: Sequence[PeriodPlan], interval_minutes: int,
                  rules: ScannerRules) -> list[PeriodBars]:
    """The bars of every planned period at this interval (periods without a warmed-up bar are left out)."""
    bars = {s: resample_klines(k, interval_minutes) for s, k in klines.items()}
    whole = build_period_bars("all", bars, rules, interval_ms=interval_minutes * MINUTE_MS,
                              with_scanner=False)
    out = []
    for plan in plans:
        index = np.flatnonzero((whole.time_ms >= plan.start_ms) & (whole.time_ms < plan.end_ms))
        if len(index):
            out.append(dataclasses.replace(whole.take(index), name=plan.name))
    return out


def only_symbols(bars: PeriodBars, symbols: Sequence[str] | None) -> PeriodBars:
    """The rows of these symbols only (all when None; the bars themselves when they hold no other symbol,
    so a universe narrowed to the quote asset every pair already has shares the period's arrays)."""
    if symbols is None or set(bars.symbols) <= set(symbols):
        return bars
    codes = [i for i, s in enumerate(bars.symbols) if s in set(symbols)]
    return bars.take(np.flatnonzero(np.isin(bars.symbol, codes)))


def test_days(plans: Sequence[PeriodPlan], first_test: int = 1) -> npt.NDArray[np.int64]:
    """Every UTC day of the test periods (every planned period from `first_test` on): the calendar of
    the study's trial matrix, the same for every bar interval."""
    days = [np.arange(p.start_ms // DAY_MS, (p.end_ms - 1) // DAY_MS + 1) for p in plans[first_test:]]
    calendar: npt.NDArray[np.int64] = np.unique(np.concatenate(days)).astype(np.int64) if days \
        else np.empty(0, np.int64)
    return calendar
