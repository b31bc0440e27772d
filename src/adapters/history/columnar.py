"""Columnar reading of a recorded kline CSV (a `symbol` column and a header, plain or compressed):
pyarrow's streaming CSV reader, batch by batch, keeping only the wanted symbols and time window.

The result is what `load_symbol_csv` + `clean_history` + the window give, without pandas: one set of
columns per symbol in source order. It is only taken when that is sure, which the stream checks as it
goes: every wanted symbol's open times strictly increase over the WHOLE file (so there is nothing to
sort or deduplicate, and the window can be cut batch by batch), every required field is present and
every row passes schema.validate's rules. Otherwise `read_columns` returns None and the caller reads
the file the pandas way, which names the bad row or repairs the order exactly as before.
The symbol column is read dictionary-encoded; optional columns the file lacks are not materialised.
"""

from __future__ import annotations

import lzma
import math
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from adapters.history.kline_fields import LATEST_PLAUSIBLE_MS, REQUIRED_FLOATS, interval_ms, to_milliseconds
from adapters.history.symbol_columns import Floats, SymbolColumns, Window, cut, window_rows

CSV_SUFFIXES = (".csv", ".csv.xz", ".csv.gz", ".csv.bz2", ".csv.zst")  # as loader.CSV_SUFFIXES
_INTERVAL_IN_NAME = re.compile(r"_(\d+[smhd])_")
_BLOCK_BYTES = 1 << 20  # larger blocks cost resident memory (4 MiB: +40 MB), not speed
_NO_TIME = np.iinfo(np.int64).min
KLINE_OPTIONAL = ("quote_volume", "trades", "taker_buy_base_volume")  # the ones KlineArrays holds
_NUMPY_TYPES: dict[int, np.dtype[Any]] = {pa.int32().id: np.dtype(np.int32),
                                          pa.int64().id: np.dtype(np.int64),
                                          pa.float64().id: np.dtype(np.float64)}


def as_numpy(array: pa.Array | pa.ChunkedArray) -> npt.NDArray[Any]:
    """A primitive Arrow column as numpy, nulls as NaN: a view of its buffer when it can be. (Arrow's own
    to_numpy imports pandas, which a lean process does not want.)"""
    if isinstance(array, pa.ChunkedArray):
        array = array.chunk(0) if array.num_chunks == 1 else array.combine_chunks()
    if array.null_count:
        array = pc.fill_null(array.cast(pa.float64()), math.nan)
    dtype = _NUMPY_TYPES[array.type.id]
    data = array.buffers()[1]
    return np.frombuffer(data, dtype=dtype, count=len(array), offset=array.offset * dtype.itemsize)


def named_interval_ms(path: Path) -> int | None:
    named = _INTERVAL_IN_NAME.search(path.name)
    return interval_ms(named.group(1)) if named else None


def open_stream(path: Path) -> BinaryIO | pa.NativeFile:
    """The decompressed bytes of `path` (.xz through the standard library, the rest through Arrow)."""
    if path.name.endswith(".xz"):
        return lzma.open(path, "rb")
    return pa.input_stream(path, compression="detect")


def _header(path: Path) -> list[str]:
    with open_stream(path) as stream:
        head = stream.read(1 << 16)
    return head.split(b"\n", 1)[0].decode("utf-8", "replace").strip().split(",")


def infer_step_ms(times: npt.NDArray[np.int64]) -> int:
    """quality.infer_interval_ms for strictly increasing times (the most common step)."""
    steps = np.diff(times)
    if len(steps) == 0:
        return 60_000
    values, counts = np.unique(steps, return_counts=True)
    return int(values[np.argmax(counts)])


def rows_valid(o: Floats, h: Floats, lo: Floats, c: Floats, v: Floats) -> bool:
    """schema.validate's rules, all rows at once."""
    with np.errstate(invalid="ignore"):
        prices_ok = all(bool(np.all(np.isfinite(x) & (x > 0))) for x in (o, h, lo, c))
        volume_ok = bool(np.all(np.isfinite(v) & (v >= 0)))
        return (prices_ok and volume_ok and not bool(np.any(h < np.maximum(np.maximum(o, c), lo)))
                and not bool(np.any(lo > np.minimum(o, c))))


class _Collector:
    """Per-symbol pieces of the kept rows, and each symbol's last open time seen (kept or not)."""

    def __init__(self, wanted: set[str] | None, window: Window, columns: list[str]) -> None:
        self.wanted, self.window, self.columns = wanted, window, columns
        self.ids: dict[str, int] = {}
        self.last: list[int] = []
        self.pieces: list[list[tuple[npt.NDArray[np.int64], list[Floats]]]] = []

    def _global_ids(self, dictionary: pa.Array) -> npt.NDArray[np.int64]:
        out = np.empty(len(dictionary), dtype=np.int64)
        for i, name in enumerate(dictionary.to_pylist()):
            if self.wanted is not None and name not in self.wanted:
                out[i] = -1
                continue
            if name not in self.ids:
                self.ids[name] = len(self.ids)
                self.last.append(_NO_TIME)
                self.pieces.append([])
            out[i] = self.ids[name]
        return out

    def add(self, batch: pa.RecordBatch) -> bool:
        """Keep a batch's wanted rows; False when the fast path does not hold (see the module doc)."""
        symbols = batch.column(0).combine_chunks() if isinstance(batch.column(0), pa.ChunkedArray) \
            else batch.column(0)
        if symbols.null_count or any(batch.column(i).null_count for i in range(1, 2 + len(REQUIRED_FLOATS))):
            return False
        ids = self._global_ids(symbols.dictionary)[as_numpy(symbols.indices)]
        rows = np.flatnonzero(ids >= 0) if self.wanted is not None else np.arange(len(ids))
        if not len(rows):
            return True
        order = rows[np.argsort(ids[rows], kind="stable")]
        gid = ids[order]
        times = to_milliseconds(as_numpy(batch.column(1))[order])
        if len(times) and (int(times.min()) < 0 or int(times.max()) > LATEST_PLAUSIBLE_MS):
            return False  # schema.checked_milliseconds names the row
        floats = [as_numpy(batch.column(2 + i))[order] for i in range(len(self.columns))]
        if not rows_valid(*floats[:len(REQUIRED_FLOATS)]):
            return False
        starts = np.flatnonzero(np.r_[True, gid[1:] != gid[:-1]])
        same = gid[1:] == gid[:-1]
        if bool(np.any(same & (np.diff(times) <= 0))):
            return False
        first_ids = gid[starts]
        last = np.array(self.last, dtype=np.int64)
        if bool(np.any(times[starts] <= last[first_ids])):
            return False
        ends = np.r_[starts[1:], len(gid)]
        for start, end, symbol in zip(starts.tolist(), ends.tolist(), first_ids.tolist(), strict=True):
            self.last[symbol] = int(times[end - 1])
            self._keep(symbol, times[start:end], [f[start:end] for f in floats], whole=len(starts) == 1)
        return True

    def _keep(self, symbol: int, times: npt.NDArray[np.int64], floats: list[Floats], *, whole: bool) -> None:
        """Keep the rows in the window: copied unless they are a whole batch's arrays (a view would keep
        the batch's other rows alive until the end of the read)."""
        a, b = window_rows(times, self.window)
        if whole and b - a == len(times):
            self.pieces[symbol].append((times, floats))
        elif b > a:
            self.pieces[symbol].append((times[a:b].copy(), [f[a:b].copy() for f in floats]))

    def result(self, step_ms: int | None) -> dict[str, SymbolColumns]:
        out: dict[str, SymbolColumns] = {}
        for name in sorted(self.ids):
            pieces = self.pieces[self.ids[name]]
            self.pieces[self.ids[name]] = []
            if not pieces:
                continue
            times = np.concatenate([p[0] for p in pieces])
            floats = {c: np.concatenate([p[1][i] for p in pieces]) for i, c in enumerate(self.columns)}
            del pieces
            out[name] = SymbolColumns(name, step_ms or infer_step_ms(times), times, floats)
        return out


def read_columns(path: Path, symbols: Iterable[str] | None = None,
                 window: Window = (None, None)) -> dict[str, SymbolColumns] | None:
    """The wanted symbols' rows of `path` in `window`, or None when the pandas reader must decide (a
    missing column, a bad value, times not strictly increasing). The window is cut while reading only
    when the file names its interval (else the interval is inferred from the whole history first)."""
    try:
        header = _header(path)
    except (OSError, EOFError, lzma.LZMAError, pa.ArrowException):
        return None
    if "symbol" not in header or "open_time" not in header or any(c not in header for c in REQUIRED_FLOATS):
        return None
    columns = [*REQUIRED_FLOATS, *(c for c in KLINE_OPTIONAL if c in header)]
    types = {"symbol": pa.dictionary(pa.int32(), pa.string()), "open_time": pa.int64()}
    types.update({c: pa.float64() for c in columns})
    step = named_interval_ms(path)
    wanted = {s.upper() for s in symbols} if symbols is not None else None
    collector = _Collector(wanted, window if step is not None else (None, None), columns)
    try:
        with open_stream(path) as stream:
            reader = pacsv.open_csv(
                stream, read_options=pacsv.ReadOptions(block_size=_BLOCK_BYTES),
                convert_options=pacsv.ConvertOptions(column_types=types,
                                                     include_columns=["symbol", "open_time", *columns]))
            for batch in reader:
                if not collector.add(batch):
                    return None
    except (pa.ArrowException, OSError, EOFError, lzma.LZMAError, UnicodeDecodeError):
        return None
    found = collector.result(step)
    if step is None and window != (None, None):
        found = {s: cut(c, window) for s, c in found.items()}
        found = {s: c for s, c in found.items() if len(c.times)}
    return found
