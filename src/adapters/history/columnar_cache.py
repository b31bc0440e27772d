"""A recorded kline CSV converted once to a column store (column_store.py), then read by the row range.

The copy lives under <cache_dir>/columnar/, named after the source and a key of its size, modification
time and the SHA-256 of its first MiB: a changed source gets a new copy. Only sources the columnar
reader takes (sorted, valid: see columnar.py) are converted. Reading a copy imports numpy only: pyarrow
is imported when a source has to be converted.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterable
from pathlib import Path

from adapters.history.column_store import read_store, write_store
from adapters.history.symbol_columns import SymbolColumns, Window


def cache_file(source: Path, cache_dir: Path) -> Path:
    """The folder holding `source`'s column copy."""
    stat = source.stat()
    with source.open("rb") as handle:
        head = hashlib.sha256(handle.read(1 << 20)).hexdigest()[:16]
    return cache_dir / "columnar" / f"{source.name}.{stat.st_size}-{stat.st_mtime_ns}-{head}.columns"


def cached_columns(source: Path, cache_dir: Path, symbols: Iterable[str] | None,
                   window: Window) -> dict[str, SymbolColumns] | None:
    """`source` through its column copy (made on the first read); None when the columnar reader does
    not take the source (the caller reads it the pandas way)."""
    path = cache_file(source, cache_dir)
    if not path.is_dir():
        from adapters.history.columnar import read_columns  # pyarrow: only to convert

        found = read_columns(source)
        if found is None:
            return None
        write_store(path, found)
        del found
    try:
        return read_store(path, symbols, window)
    except (OSError, KeyError, ValueError, TypeError):
        shutil.rmtree(path, ignore_errors=True)  # a damaged copy: read the source again
        return None
