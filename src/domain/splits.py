"""Time-ordered train / validation / test splits with a purge gap (spec 5.2: never a random split).

A row at open time t has a label that looks at the bars t+1..t+horizon. The last `gap_ms` before each
boundary is therefore dropped from the earlier part: with gap_ms = horizon_bars * bar_ms, no training
label reads a bar of the validation period and no validation label reads a bar of the test period.
Features look back only, so a later part may use earlier bars as inputs: that is not leakage.

All ranges are half-open [start_ms, end_ms). Boundaries are chosen at row quantiles of the (sorted)
row times, so a period with many symbols weighs as much as its rows, not as its calendar span.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TimeRange:
    start_ms: int
    end_ms: int  # exclusive

    def __post_init__(self) -> None:
        if self.end_ms < self.start_ms:
            raise ValueError(f"time range ends ({self.end_ms}) before it starts ({self.start_ms})")

    def contains(self, time_ms: int) -> bool:
        return self.start_ms <= time_ms < self.end_ms

    def overlaps(self, other: TimeRange) -> bool:
        return self.start_ms < other.end_ms and other.start_ms < self.end_ms

    @property
    def duration_ms(self) -> int:
        return self.end_ms - self.start_ms


@dataclass(frozen=True, slots=True)
class TimeSplit:
    train: TimeRange
    validation: TimeRange
    test: TimeRange
    gap_ms: int

    def __post_init__(self) -> None:
        if self.gap_ms < 0:
            raise ValueError(f"gap must be >= 0 ms, got {self.gap_ms}")
        if self.validation.start_ms - self.train.end_ms < self.gap_ms:
            raise ValueError("train must end at least one gap before validation starts")
        if self.test.start_ms - self.validation.end_ms < self.gap_ms:
            raise ValueError("validation must end at least one gap before test starts")

    def parts(self) -> dict[str, TimeRange]:
        return {"train": self.train, "validation": self.validation, "test": self.test}


def purge_gap_ms(horizon_bars: int, bar_ms: int) -> int:
    """The gap that keeps every label of a part inside that part."""
    if horizon_bars < 0 or bar_ms <= 0:
        raise ValueError(f"bad label horizon: {horizon_bars} bars of {bar_ms} ms")
    return horizon_bars * bar_ms


def time_at_fraction(sorted_times_ms: Sequence[int], fraction: float) -> int:
    """The row time below which `fraction` of the rows lie."""
    n = len(sorted_times_ms)
    if n == 0:
        raise ValueError("no rows to split")
    if not 0.0 <= fraction <= 1.0:
        raise ValueError(f"fraction must be in [0, 1], got {fraction}")
    if fraction >= 1.0:
        return int(sorted_times_ms[n - 1]) + 1
    return int(sorted_times_ms[int(fraction * n)])


def _split_between(sorted_times_ms: Sequence[int], train_from: float, val_from: float, test_from: float,
                   test_to: float, gap_ms: int) -> TimeSplit:
    start = time_at_fraction(sorted_times_ms, train_from)
    val_start = time_at_fraction(sorted_times_ms, val_from)
    test_start = time_at_fraction(sorted_times_ms, test_from)
    end = time_at_fraction(sorted_times_ms, test_to)
    train_end, val_end = val_start - gap_ms, test_start - gap_ms
    if not start < train_end < val_start < val_end < test_start < end:
        raise ValueError(
            "the data is too short for this split: train, validation and test must each keep rows "
            f"after a {gap_ms} ms gap (boundaries {start}, {val_start}, {test_start}, {end})")
    return TimeSplit(train=TimeRange(start, train_end), validation=TimeRange(val_start, val_end),
                     test=TimeRange(test_start, end), gap_ms=gap_ms)


def time_split(sorted_times_ms: Sequence[int], *, validation_fraction: float = 0.17,
               test_fraction: float = 0.17, gap_ms: int) -> TimeSplit:
    """One split: the oldest rows train, the next validate, the latest test (spec 5.2: 66/17/17)."""
    if validation_fraction <= 0 or test_fraction <= 0 or validation_fraction + test_fraction >= 1:
        raise ValueError(f"bad fractions: validation {validation_fraction}, test {test_fraction}")
    test_from = 1.0 - test_fraction
    return _split_between(sorted_times_ms, 0.0, test_from - validation_fraction, test_from, 1.0, gap_ms)


def time_split_at(sorted_times_ms: Sequence[int], validation_start_ms: int, test_start_ms: int, *,
                  gap_ms: int, test_end_ms: int | None = None) -> TimeSplit:
    """One split at given instants: train before validation_start, test from test_start to the end of
    the rows (or test_end_ms)."""
    if not sorted_times_ms:
        raise ValueError("no rows to split")
    start, last = int(sorted_times_ms[0]), int(sorted_times_ms[len(sorted_times_ms) - 1])
    end = last + 1 if test_end_ms is None else test_end_ms
    train_end, val_end = validation_start_ms - gap_ms, test_start_ms - gap_ms
    if not start < train_end < validation_start_ms < val_end < test_start_ms < end:
        raise ValueError(f"boundaries out of order or outside the rows: rows {start}..{last}, validation "
                         f"from {validation_start_ms}, test from {test_start_ms} to {end}, gap {gap_ms} ms")
    return TimeSplit(train=TimeRange(start, train_end), validation=TimeRange(validation_start_ms, val_end),
                     test=TimeRange(test_start_ms, end), gap_ms=gap_ms)


def walk_forward(sorted_times_ms: Sequence[int], folds: int, *, validation_fraction: float = 0.17,
                 test_fraction: float = 0.17, gap_ms: int, min_train_fraction: float = 0.1
                 ) -> list[TimeSplit]:
    """Expanding-window folds, oldest first. Fold k tests on the k-th of the last `folds` blocks of
    `test_fraction` of the rows, validates on the block before it and trains on everything older.
    The last fold is `time_split` with the same fractions."""
    if folds < 1:
        raise ValueError(f"folds must be >= 1, got {folds}")
    first_val_from = 1.0 - folds * test_fraction - validation_fraction
    if first_val_from < min_train_fraction:
        raise ValueError(f"{folds} folds of {test_fraction:.0%} test + {validation_fraction:.0%} validation "
                         f"leave less than {min_train_fraction:.0%} of the rows to train the first fold")
    splits = []
    for k in range(folds):
        test_from = 1.0 - (folds - k) * test_fraction
        test_to = 1.0 if k == folds - 1 else test_from + test_fraction
        splits.append(_split_between(sorted_times_ms, 0.0, test_from - validation_fraction, test_from,
                                     test_to, gap_ms))
    return splits
