"""Per-second history of every scanner row: price and cumulative quote volume, in a ring of columns.

One column per second (the state at the end of that second), one entry per row. Moving time forward
copies the current values into the skipped columns, so "the value N seconds ago" is one indexed read:
O(1) per update, whatever the update rate, with no per-pair lists. Rows that had no value yet at a
past second read NaN there.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]


class SecondHistory:
    def __init__(self, capacity: int, seconds: int) -> None:
        if seconds < 1 or capacity < 1:
            raise ValueError(f"history needs >= 1 second and >= 1 row, got {seconds} s x {capacity}")
        self.slots = seconds + 2  # reading `seconds` ago must not land on the column being written
        self.seconds = seconds
        self.block = np.full((2, self.slots, capacity), np.nan)  # one array: one argument for a kernel
        self.price = self.block[0]
        self.volume = self.block[1]
        self.second = -1  # the newest column's second (epoch seconds); -1 before any data

    def advance(self, second: int, price_now: FloatArray, volume_now: FloatArray) -> None:
        """Move to `second`, filling the seconds in between with the current values. Time never goes
        back: an older second keeps writing into the newest column."""
        if second <= self.second:
            return
        if self.second < 0:
            self.second = second
            return
        gap = second - self.second
        if gap == 1:
            col = second % self.slots
            self.price[col] = price_now
            self.volume[col] = volume_now
        elif gap >= self.slots:
            self.price[:] = price_now
            self.volume[:] = volume_now
        else:
            cols = np.arange(self.second + 1, second + 1) % self.slots
            self.price[cols] = price_now
            self.volume[cols] = volume_now
        self.second = second

    def write(self, rows: IntArray, price: FloatArray, volume: FloatArray) -> None:
        col = self.second % self.slots
        self.price[col, rows] = price
        self.volume[col, rows] = volume

    def ago(self, seconds: int, rows: IntArray) -> tuple[FloatArray, FloatArray]:
        """(price, cumulative volume) of these rows `seconds` before the newest second."""
        if not 0 <= seconds <= self.seconds:
            raise ValueError(f"history keeps {self.seconds} s, asked {seconds} s ago")
        col = (self.second - seconds) % self.slots
        return self.price[col, rows], self.volume[col, rows]

    def price_ago(self, seconds: int, rows: IntArray) -> FloatArray:
        """The price alone of these rows `seconds` before the newest second."""
        if not 0 <= seconds <= self.seconds:
            raise ValueError(f"history keeps {self.seconds} s, asked {seconds} s ago")
        price: FloatArray = self.price[(self.second - seconds) % self.slots, rows]
        return price

    def forget(self, rows: IntArray) -> None:
        self.block[:, :, rows] = np.nan
