"""A recorded kline CSV converted once to a column store (column_store.py), then read by the row range.

The copy lives under <cache_dir>/columnar/, named after the source's file name, a hash of its resolved
path, and a key of its size, modification time and the SHA-256 of its first MiB: a changed source gets a
new copy, and writing it removes the source's stale copies (same name and path, another key; and copies
named the way earlier versions named them, which nothing reads any more), so the cache holds one copy per
source instead of piling one up per change. A reader still on a removed copy falls back to the source (a
damaged or vanished copy is read again from it). Only sources the columnar reader takes (sorted, valid:
see columnar.py) are converted. Reading a copy imports numpy only: pyarrow is imported when a source has
to be converted.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Iterable
from pathlib import Path

from adapters.history.column_store import read_store, write_store
from adapters.history.kline_formats import COPIES_FOLDER
from adapters.history.symbol_columns import SymbolColumns, Window

_KEY = r"\d+-\d+-[0-9a-f]{16}"


def cache_file(source: Path, cache_dir: Path) -> Path:
    """The folder holding `source`'s column copy."""
    stat = source.stat()
    with source.open("rb") as handle:
        head = hashlib.sha256(handle.read(1 << 20)).hexdigest()[:16]
    return cache_dir / COPIES_FOLDER / f"{_prefix(source)}{stat.st_size}-{stat.st_mtime_ns}-{head}.columns"


def _prefix(source: Path) -> str:
    where = hashlib.sha256(str(source.resolve()).encode()).hexdigest()[:8]
    return f"{source.name}.{where}."


def prune_stale(source: Path, keep: Path) -> list[Path]:
    """Remove `source`'s other copies beside `keep` (see the module doc); the paths removed."""
    stale = re.compile(re.escape(_prefix(source)) + _KEY + r"\.columns"  # this source, another key
                       + "|" + re.escape(f"{source.name}.") + _KEY + r"\.(columns|parquet)")  # old names
    removed = []
    for entry in keep.parent.iterdir():
        if entry != keep and stale.fullmatch(entry.name):
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
            removed.append(entry)
    return removed


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
        prune_stale(source, path)
    try:
        return read_store(path, symbols, window)
    except (OSError, KeyError, ValueError, TypeError):
        shutil.rmtree(path, ignore_errors=True)  # a damaged copy: read the source again
        return None
