"""A recorded kline CSV converted once to Parquet, then read with the symbol and time filter pushed down.

The file lives under <cache_dir>/columnar/, named after the source and a key of its size, modification
time and the SHA-256 of its first MiB: a changed source gets a new file. Each symbol's rows are stored
in time order in row groups of at most ROW_GROUP_ROWS; the file's metadata lists, per row group, the
symbol, first and last open time and row count, and each symbol's interval, so a read opens only the
row groups it needs and copies only the rows it keeps (one symbol at a time). Only sources the
columnar reader takes (sorted, valid: see columnar.py) are converted.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from adapters.history.atomic_file import write_atomically
from adapters.history.columnar import SymbolColumns, Window, as_numpy, cut, read_columns

ROW_GROUP_ROWS = 8_192  # 5.7 days of 1m bars: a one-week slice reads 2-3 row groups a symbol
_META_KEY = b"cryptoscalper.columnar"
_FORMAT = 1


def cache_file(source: Path, cache_dir: Path) -> Path:
    stat = source.stat()
    with source.open("rb") as handle:
        head = hashlib.sha256(handle.read(1 << 20)).hexdigest()[:16]
    return cache_dir / "columnar" / f"{source.name}.{stat.st_size}-{stat.st_mtime_ns}-{head}.parquet"


def write_columns(path: Path, found: dict[str, SymbolColumns]) -> None:
    """Every symbol's columns to one Parquet file (atomically), with the row-group index."""
    names = sorted({name for c in found.values() for name in c.floats})
    schema = pa.schema([pa.field("open_time_ms", pa.int64()), *(pa.field(n, pa.float64()) for n in names)])
    groups: list[list[object]] = []
    for symbol, columns in sorted(found.items()):
        for a in range(0, len(columns.times), ROW_GROUP_ROWS):
            b = min(a + ROW_GROUP_ROWS, len(columns.times))
            groups.append([symbol, int(columns.times[a]), int(columns.times[b - 1]), b - a])
    meta = {"format": _FORMAT, "columns": names, "groups": groups,
            "interval_ms": {s: c.interval_ms for s, c in found.items()}}
    schema = schema.with_metadata({_META_KEY: json.dumps(meta).encode()})

    def write(tmp: Path) -> None:
        with pq.ParquetWriter(tmp, schema, compression="zstd") as writer:
            for _, columns in sorted(found.items()):
                for a in range(0, len(columns.times), ROW_GROUP_ROWS):
                    part = [pa.array(columns.times[a:a + ROW_GROUP_ROWS])]
                    part += [pa.array(columns.floats[n][a:a + ROW_GROUP_ROWS]) for n in names]
                    writer.write_table(pa.table(part, schema=schema), row_group_size=ROW_GROUP_ROWS)

    write_atomically(path, write)


def read_cached(path: Path, symbols: Iterable[str] | None, window: Window) -> dict[str, SymbolColumns]:
    """The wanted symbols' rows in `window` from a converted file (row groups outside are not read)."""
    parquet = pq.ParquetFile(path)
    meta = json.loads(parquet.schema_arrow.metadata[_META_KEY])
    names, lo, hi = meta["columns"], window[0], window[1]
    wanted = {s.upper() for s in symbols} if symbols is not None else None
    by_symbol: dict[str, list[int]] = {}
    for i, (symbol, first, last, _rows) in enumerate(meta["groups"]):
        if (wanted is None or symbol in wanted) and (lo is None or last >= lo) and (hi is None or first < hi):
            by_symbol.setdefault(symbol, []).append(i)
    out: dict[str, SymbolColumns] = {}
    for symbol in sorted(by_symbol):
        pieces = []
        for i in by_symbol[symbol]:
            table = parquet.read_row_group(i, columns=["open_time_ms", *names], use_threads=False)
            whole = SymbolColumns(symbol, 0, as_numpy(table.column(0)),
                                  {n: as_numpy(table.column(1 + k)) for k, n in enumerate(names)})
            pieces.append(cut(whole, window))
            del table, whole
        times = np.concatenate([p.times for p in pieces])
        if len(times):
            out[symbol] = SymbolColumns(symbol, int(meta["interval_ms"][symbol]), times,
                                        {n: np.concatenate([p.floats[n] for p in pieces]) for n in names})
    return out


def cached_columns(source: Path, cache_dir: Path, symbols: Iterable[str] | None,
                   window: Window) -> dict[str, SymbolColumns] | None:
    """`source` through its Parquet copy (made on the first read); None when the columnar reader does
    not take the source (the caller reads it the pandas way)."""
    path = cache_file(source, cache_dir)
    if not path.is_file():
        found = read_columns(source)
        if found is None:
            return None
        write_columns(path, found)
        del found
    try:
        return read_cached(path, symbols, window)
    except (OSError, pa.ArrowException, KeyError, ValueError, TypeError):
        path.unlink(missing_ok=True)  # a damaged copy: read the source again
        return None
