"""Each symbol's history of one source, one symbol at a time, at the lowest memory that gives the same
frames: a recorded CSV through the columnar reader when it takes the file (sorted, valid: what the
pandas reader would return, without its ~1.4 GB peak on the 96-pair file), anything else the pandas way
(which also names what is wrong with a file the columnar reader refused). A folder is read as one data
set (loader.load_folder), its recorded CSVs each the same way."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from adapters.history.columnar import read_columns
from adapters.history.kline_fields import OPTIONAL_FLOATS
from adapters.history.kline_formats import is_recorded_csv
from adapters.history.loader import SymbolHistory, load_folder, load_history, load_symbol_csv
from adapters.history.quality import check_quality
from adapters.history.symbol_columns import SymbolColumns


def read_histories(path: Path, symbols: Iterable[str] | None = None,
                   interval: str | None = None) -> Iterator[tuple[str, SymbolHistory]]:
    """(symbol, history) in symbol order, as `sorted(load_history(path, symbols=...).items())` gives.
    `interval`: a folder's files and symbols of another interval are left out."""
    wanted = {s.upper() for s in symbols} if symbols is not None else None
    if path.is_dir():
        found = load_folder(path, wanted, interval, lambda csv: dict(_csv_histories(csv, wanted)))
        for symbol in sorted(found):
            yield symbol, found.pop(symbol)  # each symbol's frame freed once its caller is done
        return
    if path.is_file() and is_recorded_csv(path):
        yield from _csv_histories(path, wanted)
        return
    yield from sorted(load_history(path, symbols=wanted).items())


def _csv_histories(path: Path, wanted: set[str] | None) -> Iterator[tuple[str, SymbolHistory]]:
    found = read_columns(path, wanted)
    if not found:  # None or nothing read: the pandas reader names what is wrong
        yield from sorted(load_symbol_csv(path, wanted).items())
        return
    for symbol in sorted(found):
        yield symbol, _history(found.pop(symbol))  # each symbol's columns freed once its caller is done


def _history(columns: SymbolColumns) -> SymbolHistory:
    frame = pd.DataFrame({"open_time_ms": columns.times, **columns.floats})
    for name in OPTIONAL_FLOATS:
        if name not in frame:
            frame[name] = np.nan
    return SymbolHistory(columns.symbol, columns.interval_ms, frame,
                         check_quality(frame, columns.symbol, columns.interval_ms))
