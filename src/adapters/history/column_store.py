"""Every symbol's kline columns in a folder of .npy files (numpy's own format), read by the row range.

Layout: one .npy per column (open_time_ms, open, ..., and the optional columns the source has), each
holding every symbol's rows one symbol after another in symbol order, each symbol's rows in time order;
index.json gives each symbol's first row, row count and interval. A read takes, per symbol, its open
times (to find the window), then only the window's rows of each column, straight from the file into
the array it returns: nothing else is resident, no decoder or pyarrow is imported, and what a slice
costs is the slice (a one-week slice of the 96-pair file: ~60 MB; the whole file: ~300 MB).
Uncompressed on purpose: ~1.7x Parquet's size on disk, in exchange for reads at file-copy speed.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import numpy.typing as npt

from adapters.history.symbol_columns import SymbolColumns, Window, window_rows

_INDEX = "index.json"
_TIMES = "open_time_ms"
_FORMAT = 1


def write_store(folder: Path, found: dict[str, SymbolColumns]) -> None:
    """Every symbol's columns under `folder`, which appears whole or not at all (renamed into place)."""
    names = sorted({name for c in found.values() for name in c.floats})
    symbols = sorted(found)
    if any(set(found[s].floats) != set(names) for s in symbols):
        raise ValueError("every symbol must have the same columns")
    total = sum(len(found[s].times) for s in symbols)
    tmp = folder.with_name(f"{folder.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        for name, dtype in ((_TIMES, np.dtype(np.int64)), *((n, np.dtype(np.float64)) for n in names)):
            with (tmp / f"{name}.npy").open("wb") as out:
                np.lib.format.write_array_header_2_0(
                    out, {"descr": np.lib.format.dtype_to_descr(dtype), "fortran_order": False,
                          "shape": (total,)})
                for s in symbols:
                    column = found[s].times if name == _TIMES else found[s].floats[name]
                    np.ascontiguousarray(column, dtype=dtype).tofile(out)
        rows, first = {}, 0
        for s in symbols:
            rows[s] = [first, len(found[s].times), found[s].interval_ms]
            first += len(found[s].times)
        (tmp / _INDEX).write_text(json.dumps({"format": _FORMAT, "columns": names, "symbols": rows}))
        os.replace(tmp, folder)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        if not (folder / _INDEX).is_file():  # another process may have put the same copy in place
            raise


class _Column:
    """One open .npy file: its rows read by range, straight into a new array."""

    def __init__(self, path: Path) -> None:
        self.file: BinaryIO = path.open("rb")
        version = np.lib.format.read_magic(self.file)
        header = np.lib.format.read_array_header_1_0 if version == (1, 0) else \
            np.lib.format.read_array_header_2_0
        shape, fortran, self.dtype = header(self.file)
        if fortran or len(shape) != 1:
            raise ValueError(f"{path}: not a 1-D column")
        self.rows = int(shape[0])
        self.start = self.file.tell()

    def read(self, first: int, count: int) -> npt.NDArray[Any]:
        if first < 0 or count < 0 or first + count > self.rows:
            raise ValueError("rows outside the column")
        self.file.seek(self.start + first * self.dtype.itemsize)
        out = np.fromfile(self.file, dtype=self.dtype, count=count)
        if len(out) != count:
            raise ValueError("the column file is shorter than its header says")
        return out


def read_store(folder: Path, symbols: Iterable[str] | None, window: Window) -> dict[str, SymbolColumns]:
    """The wanted symbols' rows in `window`. Raises OSError/ValueError/KeyError on a damaged store."""
    index = json.loads((folder / _INDEX).read_text())
    if index.get("format") != _FORMAT:
        raise ValueError(f"{folder}: unknown column store format")
    names: list[str] = index["columns"]
    wanted = {s.upper() for s in symbols} if symbols is not None else None
    columns = {name: _Column(folder / f"{name}.npy") for name in (_TIMES, *names)}
    try:
        out: dict[str, SymbolColumns] = {}
        for symbol in sorted(index["symbols"]):
            if wanted is not None and symbol not in wanted:
                continue
            first, count, step = (int(v) for v in index["symbols"][symbol])
            times = columns[_TIMES].read(first, count)
            a, b = window_rows(times, window)
            if b <= a:
                continue
            times = times[a:b].copy() if b - a < count else times
            out[symbol] = SymbolColumns(symbol, step, times,
                                        {n: columns[n].read(first + a, b - a) for n in names})
        return out
    finally:
        for column in columns.values():
            column.file.close()
