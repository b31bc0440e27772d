"""What the folds of a lab's trials share, found once per session: a fold's bounds depend only on its
periods and the purge gap (a trial's longest trade window), and a study's trials share the periods and
draw few distinct gaps. A trial then copies only the feature columns it reads, in one pass.

Nothing here changes a figure: the bounds are `folds.fold_bounds`'s, a part's rows `folds.gather`'s and
its columns those `features[:, cols]` gives (test_fold_reuse.py; test_trial_figures_pinned.py pins trials).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from application.research.folds import FoldBounds, PartMask, PartRows, fold_bounds
from application.research.period_bars import PeriodBars

Floats = npt.NDArray[np.float64]
Features = npt.NDArray[np.float32]
BoundsKey = tuple[tuple[int, ...], int, int, float, int, int]


@dataclass
class FoldReuse:
    """Per session: each fold's bounds by (earlier periods, test period, gap, walk-forward sizes). The
    periods are held with their entry, so an object id is never reused while it names one."""

    _bounds: dict[BoundsKey, tuple[FoldBounds | None, tuple[PeriodBars, ...]]] = field(default_factory=dict)

    def bounds(self, prior: Sequence[PeriodBars], test: PeriodBars, *, gap_bars: int,
               validation_fraction: float, max_train_rows: int) -> FoldBounds | None:
        """`fold_bounds`, or None where it refuses (the earlier periods are too short)."""
        key = (tuple(id(p) for p in prior), id(test), gap_bars, validation_fraction, max_train_rows,
               test.interval_ms)
        if key not in self._bounds:
            try:
                found: FoldBounds | None = fold_bounds(
                    prior, test, gap_bars=gap_bars, validation_fraction=validation_fraction,
                    max_train_rows=max_train_rows, interval_ms=test.interval_ms)
            except ValueError:
                found = None
            self._bounds[key] = (found, (*prior, test))
        return self._bounds[key][0]


def _every(features: Features, cols: Sequence[int]) -> bool:
    return len(cols) == features.shape[1] and all(c == i for i, c in enumerate(cols))


def columns_of(features: Features, cols: Sequence[int]) -> Features:
    """`features[:, cols]`; the matrix itself when `cols` are all of its columns in order (no copy: the
    same values, and LightGBM reads them alike)."""
    if _every(features, cols):
        return features
    chosen: Features = features[:, list(cols)]
    return chosen


def gather_columns(prior: Sequence[PeriodBars], nets: Sequence[Floats], mask: PartMask,
                   cols: Sequence[int]) -> PartRows:
    """`folds.gather(prior, nets, mask)` with only the feature columns `cols`: each row copied once."""
    every = all(_every(bars.features, cols) for bars in prior)
    wanted = np.asarray(cols, dtype=np.int64)
    features, net, times = [], [], []
    for bars, outcome in zip(prior, nets, strict=True):
        keep = mask(bars.time_ms) & np.isfinite(outcome)
        features.append(bars.features[keep] if every else bars.features[np.ix_(np.flatnonzero(keep), wanted)])
        net.append(outcome[keep])
        times.append(bars.time_ms[keep])
    return PartRows(np.concatenate(features), np.concatenate(net), np.concatenate(times))
