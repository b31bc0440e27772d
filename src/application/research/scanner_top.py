"""The scanner rule's entries (period_rows.scanner_entries) found symbol by symbol, without a global sort.

Each minute, the pair with the best scanner quick score (ties: the lowest symbol code) enters when one of
its alerts fires and the score clears `min_quick_score`. Fed the blocks of a period in symbol order, the
per-minute leader is kept in arrays as long as the period's distinct minutes, not its rows.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from application.research.period_rows import MIN_QUICK_SCORE

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]


class ScannerTop:
    def __init__(self, minutes: Ints, min_quick_score: float = MIN_QUICK_SCORE) -> None:
        """`minutes`: every open time the period's rows can have, sorted and distinct (a superset is fine)."""
        self._minutes = minutes
        self._score = np.full(len(minutes), -np.inf)
        self._row = np.full(len(minutes), -1, dtype=np.int64)
        self._enters = np.zeros(len(minutes), dtype=np.bool_)
        self._min = min_quick_score
        self._rows = 0

    def add(self, time_ms: Ints, score: Floats, alert: Bools) -> None:
        """The next symbol's block (symbol codes increasing, one row per minute inside a block)."""
        slot = np.searchsorted(self._minutes, time_ms)
        better = score > self._score[slot]  # strictly: on a tie the lower symbol code keeps the minute
        slot, rows = slot[better], np.flatnonzero(better)
        self._score[slot] = score[better]
        self._row[slot] = self._rows + rows
        self._enters[slot] = alert[better] & (score[better] > self._min)
        self._rows += len(time_ms)

    def entries(self) -> Bools:
        """Over every row added, in order: whether the scanner rule enters there."""
        mask = np.zeros(self._rows, dtype=np.bool_)
        led = self._row >= 0
        mask[self._row[led]] = self._enters[led]
        return mask
