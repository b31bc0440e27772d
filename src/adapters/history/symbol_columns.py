"""One symbol's klines as plain columns, and a time window over them: what the columnar reader and the
column cache hand over. numpy only, so a read from the cache imports neither pyarrow nor pandas."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]
Window = tuple[int | None, int | None]  # [first open time kept, first open time not kept)


@dataclass(frozen=True)
class SymbolColumns:
    """One symbol's klines in time order: open times (ms) and the float columns the source has."""

    symbol: str
    interval_ms: int
    times: npt.NDArray[np.int64]
    floats: dict[str, Floats]


def window_rows(times: npt.NDArray[np.int64], window: Window) -> tuple[int, int]:
    """The row range [a, b) of sorted `times` inside `window`."""
    lo, hi = window
    a = 0 if lo is None else int(np.searchsorted(times, lo, side="left"))
    b = len(times) if hi is None else int(np.searchsorted(times, hi, side="left"))
    return a, b


def cut(columns: SymbolColumns, window: Window) -> SymbolColumns:
    a, b = window_rows(columns.times, window)
    return SymbolColumns(columns.symbol, columns.interval_ms, columns.times[a:b],
                         {k: v[a:b] for k, v in columns.floats.items()})
