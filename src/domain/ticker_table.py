"""A frame of 24 h mini tickers as columns: one row per symbol, one numpy array per field.

`!miniTicker@arr` brings ~200 tickers a second; a `TickerTable` holds them column by column, validated
for all rows at once: a row whose prices are not finite and positive, or whose volumes are not finite
and non-negative, is dropped and counted in `rejected` (one bad ticker must not cost the other pairs
their second). The arrays are read-only. The six float columns live in one (6, n) block, `values`:
a frame then takes a handful of numpy calls whatever its size (it arrives with cold caches).

A table may leave the open and the base volume out (`open=None, volume=None`: NaN in `values`, not
validated, `narrow` True): the live feed does not decode what no consumer of a frame reads (the scanner
reads close, high, low and quote volume; memory and the paper exchange the close).

It is also a `Sequence[Ticker]` for the consumers that want objects: the `Ticker`s are built only when
first iterated (then kept for the frame's other consumers), or one at a time by indexing. Consumers on
a hot path read the columns (`symbols`, `close`, ... `event_time_ms`) instead.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from itertools import chain, repeat
from typing import Any, cast, overload

import numpy as np
import numpy.typing as npt

from domain.values import Ticker

FloatArray = npt.NDArray[np.float64]
TimeArray = npt.NDArray[np.int64]
COLUMNS = ("close", "open", "high", "low", "volume", "quote_volume")  # rows of `values`, in this order
PRICES = 4  # the first four rows are prices (> 0), the last two volumes (>= 0)
NARROW_ROWS = [0, 2, 3, 5]  # the rows a narrow table carries: close, high, low (prices), quote volume
ABSENT_ROWS = [1, 4]  # open, base volume


class TickerTable(Sequence[Ticker]):
    __slots__ = ("_tickers", "event_time_ms", "last_event_ms", "narrow", "rejected", "symbols", "values")

    symbols: tuple[str, ...]
    event_time_ms: TimeArray
    values: FloatArray  # (6, n): COLUMNS by row
    last_event_ms: int | None  # the newest event time of the frame; None when it has no rows
    narrow: bool  # open and base volume left out (NaN)
    rejected: int  # rows dropped as corrupt, here or (passed in) by the parser that built the columns
    _tickers: tuple[Ticker, ...] | None  # the rows as objects, once someone asked

    def __init__(self, symbols: Sequence[str], event_time_ms: npt.ArrayLike, close: npt.ArrayLike,
                 open: npt.ArrayLike | None, high: npt.ArrayLike, low: npt.ArrayLike,
                 volume: npt.ArrayLike | None, quote_volume: npt.ArrayLike, *, rejected: int = 0) -> None:
        """Columns of equal length (ValueError otherwise: a programming error, not bad data); `open` and
        `volume` both None for a narrow table."""
        n = len(symbols)
        narrow = open is None and volume is None
        fast = _narrow_lists(n, event_time_ms, close, high, low, quote_volume) if narrow else None
        if fast is not None:
            self._set(tuple(symbols), *fast, narrow, rejected)
            return
        times = np.array(event_time_ms, dtype=np.int64)
        columns = ((close, high, low, quote_volume) if narrow
                   else (close, open, high, low, volume, quote_volume))
        try:
            checked = np.array(columns, dtype=np.float64)
        except ValueError as exc:
            raise ValueError(f"ticker table columns of unequal lengths for {n} symbols: {exc}") from None
        if times.shape != (n,) or checked.shape != (len(columns), n):
            raise ValueError(f"ticker table of {n} symbols got columns of shapes {times.shape} (event "
                             f"times) and {checked.shape[1:]} (values)")
        names = tuple(symbols)
        prices = 3 if narrow else PRICES
        if n and not _all_valid(checked, prices):
            keep = np.flatnonzero(_valid_rows(checked, prices))
            rejected += n - keep.size
            names = tuple(names[i] for i in keep.tolist())
            times, checked = times[keep], checked[:, keep]
        if narrow:
            values = np.empty((len(COLUMNS), times.size))
            values[NARROW_ROWS] = checked
            values[ABSENT_ROWS] = np.nan
        else:
            values = checked
        self._set(names, times, values, int(times.max()) if names else None, narrow, rejected)

    def _set(self, names: tuple[str, ...], times: TimeArray, values: FloatArray, last_event_ms: int | None,
             narrow: bool, rejected: int) -> None:
        times.flags.writeable = False  # a value: nobody changes a frame after the fact
        values.flags.writeable = False
        setattr_ = object.__setattr__
        setattr_(self, "symbols", names)
        setattr_(self, "event_time_ms", times)
        setattr_(self, "values", values)
        setattr_(self, "last_event_ms", last_event_ms)
        setattr_(self, "narrow", narrow)
        setattr_(self, "rejected", rejected)
        setattr_(self, "_tickers", None)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"TickerTable is immutable: cannot set {name}")

    @classmethod
    def from_tickers(cls, tickers: Iterable[Ticker], *, rejected: int = 0) -> TickerTable:
        rows = tuple(tickers)
        return cls([t.symbol for t in rows], [t.event_time_ms for t in rows], [t.close for t in rows],
                   [t.open for t in rows], [t.high for t in rows], [t.low for t in rows],
                   [t.volume for t in rows], [t.quote_volume for t in rows], rejected=rejected)

    @classmethod
    def empty(cls, rejected: int = 0) -> TickerTable:
        return cls((), (), (), (), (), (), (), (), rejected=rejected)

    # -- columns (read-only views of `values`) ------------------------------------------------------------
    def _column(self, k: int) -> FloatArray:
        column: FloatArray = self.values[k]
        return column

    @property
    def close(self) -> FloatArray:
        return self._column(0)

    @property
    def open(self) -> FloatArray:
        return self._column(1)

    @property
    def high(self) -> FloatArray:
        return self._column(2)

    @property
    def low(self) -> FloatArray:
        return self._column(3)

    @property
    def volume(self) -> FloatArray:
        """Base asset."""
        return self._column(4)

    @property
    def quote_volume(self) -> FloatArray:
        return self._column(5)

    # -- Sequence[Ticker] ---------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.symbols)

    def rows(self) -> Iterator[Ticker]:
        """The rows as `Ticker` objects, built on first use and kept (the table never changes), so the
        several consumers of one frame share them."""
        tickers = self._tickers
        if tickers is None:
            tickers = tuple(map(_trusted_ticker, self.symbols, self.event_time_ms.tolist(),
                                *self.values.tolist()))
            object.__setattr__(self, "_tickers", tickers)
        return iter(tickers)

    def __iter__(self) -> Iterator[Ticker]:
        return self.rows()

    @overload
    def __getitem__(self, index: int) -> Ticker: ...

    @overload
    def __getitem__(self, index: slice) -> TickerTable: ...

    def __getitem__(self, index: int | slice) -> Ticker | TickerTable:
        if isinstance(index, slice):
            return _rebuild(self.symbols[index], self.event_time_ms[index], self.values[:, index], 0,
                            self.narrow)
        symbol = self.symbols[index]  # IndexError past the end, as any sequence
        return _trusted_ticker(symbol, int(self.event_time_ms[index]), *self.values[:, index].tolist())

    # -- value semantics ----------------------------------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TickerTable):
            return NotImplemented
        return (self.symbols == other.symbols and self.rejected == other.rejected
                and self.narrow == other.narrow and np.array_equal(self.event_time_ms, other.event_time_ms)
                and np.array_equal(self.values, other.values, equal_nan=self.narrow))

    def __hash__(self) -> int:
        return hash((self.symbols, self.event_time_ms.tobytes(), self.values.tobytes(), self.rejected,
                     self.narrow))

    def __reduce__(self) -> tuple[Any, ...]:  # pickling and copying go through the constructor
        return _rebuild, (self.symbols, self.event_time_ms, self.values, self.rejected, self.narrow)

    def __repr__(self) -> str:
        shown = ", ".join(self.symbols[:3]) + (", ..." if len(self.symbols) > 3 else "")
        narrow = "; narrow" if self.narrow else ""
        return f"TickerTable({len(self.symbols)} rows: {shown}; rejected={self.rejected}{narrow})"


def _all_valid(values: FloatArray, prices: int) -> bool:
    """The common case in two whole-block reductions: every value positive and finite (a NaN makes the
    minimum NaN, an infinity the maximum infinite). A zero volume is valid too: the column check then."""
    if float(values.min()) > 0 and float(values.max()) < math.inf:
        return True
    lowest = values.min(axis=1).tolist()
    return min(lowest[:prices]) > 0 and min(lowest[prices:]) >= 0 and float(values.max()) < math.inf


def _narrow_lists(n: int, times: object, close: object, high: object, low: object,
                  quote: object) -> tuple[TimeArray, FloatArray, int] | None:
    """The live feed's case (a narrow table of valid rows as lists) in three numpy calls, checked with the
    built-in `min` and `sum` (a NaN or an infinity makes the sum non-finite). None for anything else
    (arrays, a bad row, unequal lengths): the general path checks and drops row by row."""
    if not n or any(type(c) is not list or len(c) != n for c in (times, close, high, low, quote)):
        return None
    c, h, lo, q = cast(tuple[list[float], ...], (close, high, low, quote))
    if not (min(c) > 0 and min(h) > 0 and min(lo) > 0 and min(q) >= 0
            and math.isfinite(sum(c) + sum(h) + sum(lo) + sum(q))):
        return None
    values = np.fromiter(chain(c, repeat(math.nan, n), h, lo, repeat(math.nan, n), q), np.float64, 6 * n)
    stamps = cast(list[int], times)
    return np.fromiter(stamps, np.int64, n), values.reshape(len(COLUMNS), n), max(stamps)


def _valid_rows(values: FloatArray, prices: int) -> npt.NDArray[np.bool_]:
    good = np.isfinite(values) & (values >= 0)
    good[:prices] &= values[:prices] > 0
    valid: npt.NDArray[np.bool_] = np.logical_and.reduce(good, axis=0)
    return valid


def _rebuild(symbols: tuple[str, ...], event_time_ms: TimeArray, values: FloatArray, rejected: int,
             narrow: bool = False) -> TickerTable:
    close, open_, high, low, volume_, quote_volume = values
    open, volume = (None, None) if narrow else (open_, volume_)
    return TickerTable(symbols, event_time_ms, close, open, high, low, volume, quote_volume,
                       rejected=rejected)


_new_ticker = Ticker.__new__
_set = object.__setattr__


def _trusted_ticker(symbol: str, event_time_ms: int, close: float, open: float, high: float, low: float,
                    volume: float, quote_volume: float) -> Ticker:
    """A `Ticker` of a row this table validated with `Ticker`'s own rules: its check is not run twice
    (half the cost of a row; tests hold the two rule sets equal)."""
    ticker = _new_ticker(Ticker)
    _set(ticker, "symbol", symbol)
    _set(ticker, "event_time_ms", event_time_ms)
    _set(ticker, "close", close)
    _set(ticker, "open", open)
    _set(ticker, "high", high)
    _set(ticker, "low", low)
    _set(ticker, "volume", volume)
    _set(ticker, "quote_volume", quote_volume)
    return ticker
