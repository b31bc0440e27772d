"""Each symbol's history of one source, one symbol at a time, at the lowest memory that gives the same
frames: a recorded CSV through the columnar reader when it takes the file (sorted, valid: what the
pandas reader would return, without its ~1.4 GB peak on the 96-pair file), anything else the pandas way
(which also names what is wrong with a file the columnar reader refused)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from adapters.history.columnar import CSV_SUFFIXES, read_columns
from adapters.history.kline_fields import OPTIONAL_FLOATS
from adapters.history.loader import SymbolHistory, load_history
from adapters.history.quality import check_quality


def read_histories(path: Path, symbols: Iterable[str] | None = None) -> Iterator[tuple[str, SymbolHistory]]:
    """(symbol, history) in symbol order, as `sorted(load_history(path, symbols=...).items())` gives."""
    if path.is_file() and path.name.endswith(CSV_SUFFIXES):
        found = read_columns(path, symbols)
        if found:  # None or nothing read: the pandas reader names what is wrong
            for symbol in sorted(found):
                columns = found.pop(symbol)  # each symbol's columns freed once its caller is done
                frame = pd.DataFrame({"open_time_ms": columns.times, **columns.floats})
                for name in OPTIONAL_FLOATS:
                    if name not in frame:
                        frame[name] = np.nan
                yield symbol, SymbolHistory(symbol, columns.interval_ms, frame,
                                            check_quality(frame, symbol, columns.interval_ms))
            return
    yield from sorted(load_history(path, symbols=symbols).items())
