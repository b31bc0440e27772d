"""A fixed-size ring of closed candles kept as numpy columns: O(1) per candle, no list rebuilt.

A replay's history (CandleColumns: views of arrays nobody writes to) merged into an empty ring is held as
it is and copied in only when the ring changes or its columns are read: a backtest backfills every new
candidate with WARMUP_BARS candles and mostly forgets it again before reading any of them."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from domain.candle_columns import CandleColumns
from domain.features import KlineArrays
from domain.values import Candle

_COLUMNS = ("open", "high", "low", "close", "volume", "taker_buy_base_volume", "quote_volume", "trades")
_CLOSE = _COLUMNS.index("close")
_TRADES = _COLUMNS.index("trades")
_NO_TIMES, _NO_VALUES = np.zeros(0, dtype=np.int64), np.zeros((len(_COLUMNS), 0))  # never written to
_NO_TIMES.flags.writeable = _NO_VALUES.flags.writeable = False


def _row(candle: Candle) -> tuple[float, ...]:
    return (candle.open, candle.high, candle.low, candle.close, candle.volume, candle.taker_buy_base_volume,
            candle.quote_volume, float(candle.trades))


class CandleRing:
    def __init__(self, capacity: int, interval_ms: int = 60_000) -> None:
        if capacity < 1:
            raise ValueError(f"a candle ring needs a positive capacity, got {capacity}")
        # Allocated at the first write: most rings of a replay only ever hold a history (see _hold); till
        # then the shared empty arrays (a replay makes a ring for each candidate it watches again).
        self._times, self._values = _NO_TIMES, _NO_VALUES
        self._capacity = capacity
        self._interval_ms = interval_ms
        self._size = 0  # candles held in all: the columns (or the held history) and the pending ones
        self._head = 0  # the slot the next candle goes to
        self._held: CandleColumns | None = None  # its last `_held_size` rows come first, not copied yet
        self._held_size = 0
        self._held_contiguous = False
        # Candles appended since, as rows, written into the columns when these are read (a replay's ring
        # takes a bar or two and is mostly forgotten before anything reads it).
        self._pending: list[tuple[int, tuple[float, ...]]] = []
        self._newest: int | None = None  # the newest open time held

    def __len__(self) -> int:
        return self._size

    def append(self, candle: Candle) -> bool:
        """Add a closed candle; False when a hole in time precedes it. A repeat of the newest minute
        replaces it; an older one is ignored (it is already in the history)."""
        time_ms, newest, contiguous = candle.open_time_ms, self._newest, True
        if newest is not None:
            if time_ms == newest:
                if self._pending:
                    self._pending[-1] = (time_ms, _row(candle))
                else:
                    self._settle()
                    self._values[:, (self._head - 1) % self._capacity] = _row(candle)
                return True
            if time_ms < newest:
                return True
            contiguous = time_ms == newest + self._interval_ms
        self._pending.append((time_ms, _row(candle)))
        self._newest = time_ms
        self._size = min(self._size + 1, self._capacity)
        if len(self._pending) >= self._capacity:  # these alone fill the ring: nothing older is read again
            self._held = None  # (every slot is written over when they are written in)
            if len(self._pending) > self._capacity:
                del self._pending[0]
        return contiguous

    def last_close(self) -> float:
        if not self._size:
            raise IndexError("empty candle ring")
        if self._pending:
            return self._pending[-1][1][_CLOSE]
        if self._held is not None:
            return float(self._held.klines.close[-1])
        return float(self._values[_CLOSE, (self._head - 1) % self._capacity])

    def _ordered(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
        self._settle()
        if self._size < self._capacity:
            start = (self._head - self._size) % self._capacity
            if start + self._size <= self._capacity:
                return self._times[start:start + self._size], self._values[:, start:start + self._size]
        order = (np.arange(self._size) + self._head - self._size) % self._capacity
        return self._times[order], self._values[:, order]

    def arrays(self) -> KlineArrays:
        """Oldest first, copied (the ring keeps moving)."""
        times, values = self._ordered()
        return KlineArrays(times.copy(), *(values[i].copy() for i in range(len(_COLUMNS))))

    def is_contiguous(self) -> bool:
        if self._held is not None and not self._pending:
            return self._held_contiguous
        times, _ = self._ordered()
        return bool(np.all(np.diff(times) == self._interval_ms))

    def merge(self, candles: Sequence[Candle]) -> None:
        """Fold a history in; for a minute present twice the merged-in candle wins."""
        if not candles:
            return
        if isinstance(candles, CandleColumns):
            # Its open times and their steps, found once for both questions (as plain ints: a replay's
            # ring holds a couple of bars, where each numpy call costs more than the work).
            open_times: list[int] = candles.klines.open_time_ms.tolist()
            steps = [b - a for a, b in itertools.pairwise(open_times)]
            if (not self._size or self._covers(open_times, steps)) and self._hold(candles, open_times, steps):
                return
        old_times, old_values = self._ordered()
        if isinstance(candles, CandleColumns):  # a replay's history: its columns, no Candle built
            new_times, new_values = candles.klines.open_time_ms, _columns(candles)
        else:
            new_times = np.fromiter((c.open_time_ms for c in candles), dtype=np.int64, count=len(candles))
            new_values = np.array([_row(c) for c in candles], dtype=np.float64).T
        if not self._size and bool(np.all(np.diff(new_times) > 0)):  # an empty ring, a sorted history
            self._store(new_times, new_values)
            return
        times = np.concatenate([new_times, old_times])  # new first: np.unique keeps the first occurrence
        values = np.concatenate([new_values, old_values], axis=1)
        unique_times, first = np.unique(times, return_index=True)
        keep = first[-self._capacity:]
        size = len(keep)
        self._allocate()
        self._times[:size] = unique_times[-self._capacity:]
        self._values[:, :size] = values[:, keep]
        self._size = size
        self._head = size % self._capacity
        self._newest = int(self._times[size - 1])

    def _covers(self, new_times: list[int], steps: list[int]) -> bool:
        """Would merging this history (its open times and their steps) leave exactly its last `capacity`
        rows? So when it fills the ring with consecutive minutes up to the newest one held: every older
        candle in that window is one of them (a replay's watchlist backfill, each time a candidate comes
        back)."""
        capacity, interval = self._capacity, self._interval_ms
        if len(new_times) < capacity:
            return False
        old_times = self._times_list()
        if old_times[-1] > new_times[-1]:
            return False
        first = new_times[len(new_times) - capacity]
        return all(step == interval for step in steps[len(steps) - capacity + 1:]) and \
            all((t - first) % interval == 0 for t in old_times if t >= first)

    def _times_list(self) -> list[int]:
        """The open times held, oldest first. Only candles appended since the ring was made (a replay's
        candidate: its bar, then its history): read from them, nothing written into columns for it."""
        if self._held is None and not len(self._times):
            return [time_ms for time_ms, _ in self._pending]
        times: list[int] = self._ordered()[0].tolist()
        return times

    def _hold(self, candles: CandleColumns, times: list[int], steps: list[int]) -> bool:
        """Hold a sorted history as it is (False when it is not sorted: merged the long way); `times`
        and `steps`: its open times and the steps between them."""
        if steps and min(steps) <= 0:
            return False
        size = min(len(times), self._capacity)
        self._held, self._size, self._head = candles, size, size % self._capacity
        self._held_size, self._pending, self._newest = size, [], times[-1]
        kept = steps[len(steps) - size + 1:]  # the steps between the rows the ring holds
        self._held_contiguous = not kept or min(kept) == max(kept) == self._interval_ms
        return True

    def _settle(self) -> None:
        """Write a held history, then the pending candles, into the ring's own columns (before the ring
        is read or changed in place): the history's rows column by column, each candle as append did."""
        if self._held is not None:
            held, self._held = self._held, None
            k, size = held.klines, self._held_size
            first = len(k) - size
            self._allocate()
            self._times[:size] = k.open_time_ms[first:]
            for i, column in enumerate((k.open, k.high, k.low, k.close, k.volume, k.taker_buy_base_volume,
                                        k.quote_volume)):
                self._values[i, :size] = column[first:]
            trades = k.trades[first:]
            self._values[_TRADES, :size] = np.where(np.isfinite(trades), np.trunc(trades), 0.0)
            self._head = size % self._capacity
        if self._pending:
            pending, self._pending = self._pending, []
            self._allocate()
            for time_ms, row in pending:
                self._times[self._head] = time_ms
                self._values[:, self._head] = row
                self._head = (self._head + 1) % self._capacity

    def _allocate(self) -> None:
        if len(self._times) < self._capacity:
            self._times = np.zeros(self._capacity, dtype=np.int64)
            self._values = np.full((len(_COLUMNS), self._capacity), np.nan)

    def _store(self, times: npt.NDArray[np.int64], values: npt.NDArray[np.float64]) -> None:
        """Hold the last `capacity` of these sorted, distinct candles, oldest in slot 0."""
        size = min(len(times), self._capacity)
        self._allocate()
        self._times[:size] = times[len(times) - size:]
        self._values[:, :size] = values[:, len(times) - size:]
        self._size = size
        self._head = size % self._capacity
        self._newest = int(times[-1]) if size else None


def _columns(candles: CandleColumns) -> npt.NDArray[np.float64]:
    k = candles.klines
    return np.vstack([k.open, k.high, k.low, k.close, k.volume, k.taker_buy_base_volume, k.quote_volume,
                      candles.trades_as_candles()])
