"""Walk-forward folds over market periods, and the rows each part of a fold reads.

Fold k tests on period k (every period after the first). It learns only from the periods before it:
- validation = the latest `validation_fraction` of those rows (by row time), cut in two halves:
  A (early stopping, calibration and the expected-value map) and B (exit-policy choice and the gate);
- train = every earlier row, ending one purge gap before validation (fit on every `stride`-th minute so
  at most `max_train_rows` rows are fitted, the same minutes for every pair);
- a purge gap (the longest trade window, in bars) also separates A from B, so no label of one part reads
  a bar of the next. The test period itself is never read before its figures are computed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from application.research.period_bars import PeriodBars
from domain.time_units import MINUTE_MS

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


class TimedPeriod(Protocol):
    """What fold bounds read of a period: its name and its rows' open times (PeriodBars, PeriodSource)."""

    @property
    def name(self) -> str: ...

    @property
    def time_ms(self) -> Ints: ...


@dataclass(frozen=True)
class FoldBounds:
    test_period: str
    train_periods: tuple[str, ...]
    train_start_ms: int
    validation_start_ms: int  # train ends one gap before
    selection_start_ms: int  # validation half B (A ends one gap before)
    validation_end_ms: int  # exclusive: the end of the earlier periods' rows
    gap_ms: int
    stride: int  # training rows: every stride-th bar
    interval_ms: int = MINUTE_MS


@dataclass(frozen=True)
class PartRows:
    features: npt.NDArray[np.float32]
    net_pct: Floats
    time_ms: Ints

    @property
    def win(self) -> Floats:
        return (self.net_pct > 0).astype(np.float64)

    def __len__(self) -> int:
        return len(self.net_pct)


def fold_bounds(prior: Sequence[TimedPeriod], test: TimedPeriod, *, gap_bars: int,
                validation_fraction: float, max_train_rows: int, interval_ms: int = MINUTE_MS) -> FoldBounds:
    if not prior:
        raise ValueError(f"test period {test.name} has no earlier period to learn from")
    times = np.sort(np.concatenate([p.time_ms for p in prior]))
    gap = gap_bars * interval_ms
    validation_start = int(times[int((1 - validation_fraction) * len(times))])
    end = int(times[-1]) + 1
    validation = times[times >= validation_start]
    selection_start = int(validation[len(validation) // 2])
    train_rows = int(np.searchsorted(times, validation_start - gap))
    if train_rows == 0 or selection_start - gap <= validation_start or end <= selection_start:
        raise ValueError(f"the periods before {test.name} are too short to train, validate and select")
    return FoldBounds(test.name, tuple(p.name for p in prior), int(times[0]), validation_start,
                      selection_start, end, gap, max(1, math.ceil(train_rows / max_train_rows)), interval_ms)


PartMask = Callable[[Ints], npt.NDArray[np.bool_]]


def part_masks(bounds: FoldBounds) -> dict[str, PartMask]:
    b = bounds

    def train(t: Ints) -> npt.NDArray[np.bool_]:
        before: npt.NDArray[np.bool_] = t < b.validation_start_ms - b.gap_ms
        mask: npt.NDArray[np.bool_] = before & ((t // b.interval_ms) % b.stride == 0)
        return mask

    def calibration(t: Ints) -> npt.NDArray[np.bool_]:
        mask: npt.NDArray[np.bool_] = (t >= b.validation_start_ms) & (t < b.selection_start_ms - b.gap_ms)
        return mask

    def selection(t: Ints) -> npt.NDArray[np.bool_]:
        mask: npt.NDArray[np.bool_] = (t >= b.selection_start_ms) & (t < b.validation_end_ms)
        return mask

    return {"train": train, "calibration": calibration, "selection": selection}


def gather(prior: Sequence[PeriodBars], nets: Sequence[Floats], mask: PartMask) -> PartRows:
    """The rows of every earlier period that the mask keeps and whose trade outcome is known."""
    features, net, times = [], [], []
    for bars, outcome in zip(prior, nets, strict=True):
        keep = mask(bars.time_ms) & np.isfinite(outcome)
        features.append(bars.features[keep])
        net.append(outcome[keep])
        times.append(bars.time_ms[keep])
    return PartRows(np.concatenate(features), np.concatenate(net), np.concatenate(times))
