"""1m klines to N-minute bars: only whole buckets (all N minutes present) become a bar, so a hole in the
data never makes a bar that did not trade its full interval. Missing optional columns stay NaN."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from domain.features import KlineArrays
from domain.time_units import MINUTE_MS

Floats = npt.NDArray[np.float64]


def resample_klines(k: KlineArrays, minutes: int) -> KlineArrays:
    if minutes == 1 or not len(k):
        return k
    bucket = k.open_time_ms // (minutes * MINUTE_MS)
    starts = np.flatnonzero(np.r_[True, bucket[1:] != bucket[:-1]])
    counts = np.diff(np.r_[starts, len(bucket)])
    whole = counts == minutes  # times are unique and sorted: a full count is every minute

    def reduce(op: np.ufunc, values: Floats) -> Floats:
        out: Floats = op.reduceat(np.asarray(values, dtype=np.float64), starts)[whole]
        return out

    last = (starts + counts - 1)[whole]
    return KlineArrays(
        (bucket[starts][whole] * minutes * MINUTE_MS).astype(np.int64),
        k.open[starts][whole], reduce(np.maximum, k.high), reduce(np.minimum, k.low), k.close[last],
        reduce(np.add, k.volume), reduce(np.add, k.taker_buy_base_volume), reduce(np.add, k.quote_volume),
        reduce(np.add, k.trades))
