"""What is wrong with a kline history: gaps, duplicates, times going backwards. Reported, never repaired
silently: a gap stays a gap (features and labels are computed per gap-free segment)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True, slots=True)
class Gap:
    after_open_time_ms: int  # the last bar before the hole
    missing_bars: int


@dataclass(frozen=True, slots=True)
class DataQualityReport:
    symbol: str
    interval_ms: int
    rows: int
    first_open_time_ms: int | None
    last_open_time_ms: int | None
    gaps: tuple[Gap, ...]
    duplicates: int  # rows whose open time an earlier row already has
    conflicting_duplicates: int  # of those, rows whose values differ from the first one
    non_monotonic: int  # rows whose open time is earlier than the previous row's
    misaligned: int  # rows whose open time is not a multiple of the interval

    @property
    def missing_bars(self) -> int:
        return sum(g.missing_bars for g in self.gaps)

    @property
    def is_clean(self) -> bool:
        return not (self.gaps or self.duplicates or self.non_monotonic or self.misaligned)

    def summary(self) -> str:
        span = ""
        if self.first_open_time_ms is not None and self.last_open_time_ms is not None:
            first = pd.Timestamp(self.first_open_time_ms, unit="ms", tz="UTC")
            last = pd.Timestamp(self.last_open_time_ms, unit="ms", tz="UTC")
            span = f" {first:%Y-%m-%d %H:%M}..{last:%Y-%m-%d %H:%M}"
        text = (f"{self.symbol}: {self.rows} rows{span}, {len(self.gaps)} gap(s) ({self.missing_bars} "
                f"missing bars), {self.duplicates} duplicate(s) ({self.conflicting_duplicates} conflicting), "
                f"{self.non_monotonic} non-monotonic, {self.misaligned} misaligned")
        if self.gaps:
            largest = max(self.gaps, key=lambda g: g.missing_bars)
            at = pd.Timestamp(largest.after_open_time_ms, unit="ms", tz="UTC")
            text += f"; largest gap {largest.missing_bars} bars after {at:%Y-%m-%d %H:%M}"
        return text


def check_quality(frame: pd.DataFrame, symbol: str, interval_ms: int) -> DataQualityReport:
    """Report on a kline frame in its given row order (the frame is not modified)."""
    times = frame["open_time_ms"].to_numpy(dtype=np.int64)
    steps = np.diff(times)
    if bool(np.all(steps > 0)):  # sorted without repeats (the usual case): nothing to hash or sort
        duplicates = conflicting = 0
        ordered = times
    else:
        duplicated = frame.duplicated("open_time_ms", keep="first").to_numpy()
        duplicates = int(duplicated.sum())
        conflicting = int(duplicates - frame.duplicated(keep="first").to_numpy().sum())
        ordered = np.sort(np.unique(times))
    ordered_steps = np.diff(ordered)
    holes = np.flatnonzero(ordered_steps > interval_ms)
    gaps = tuple(Gap(int(ordered[i]), int(ordered_steps[i] // interval_ms - 1)) for i in holes)
    return DataQualityReport(
        symbol=symbol,
        interval_ms=interval_ms,
        rows=len(times),
        first_open_time_ms=int(ordered[0]) if len(ordered) else None,
        last_open_time_ms=int(ordered[-1]) if len(ordered) else None,
        gaps=gaps,
        duplicates=duplicates,
        conflicting_duplicates=conflicting,
        non_monotonic=int((steps < 0).sum()),
        misaligned=int((times % interval_ms != 0).sum()),
    )


def infer_interval_ms(frame: pd.DataFrame) -> int:
    """The most common positive step between open times (for files that do not name their interval)."""
    steps = np.diff(np.unique(frame["open_time_ms"].to_numpy(dtype=np.int64)))
    if len(steps) == 0:
        return 60_000
    values, counts = np.unique(steps, return_counts=True)
    return int(values[np.argmax(counts)])


def gap_free_segments(times: np.ndarray, interval_ms: int) -> list[slice]:
    """Row slices of a sorted, duplicate-free history between which the step is not one interval."""
    breaks = np.flatnonzero(np.diff(times) != interval_ms) + 1
    bounds = [0, *breaks.tolist(), len(times)]
    return [slice(a, b) for a, b in itertools.pairwise(bounds) if b > a]
