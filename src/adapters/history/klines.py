"""1m klines for a replay: any kline file or folder -> one KlineArrays per symbol, sliced to a window.

The slice keeps WARMUP_MS of history before `start_ms` (the scanner's 24 h window, the features'
warm-up, then a margin) so the first traded minute sees what live would have seen. A recorded CSV
(a `symbol` column) is read columnar (columnar.py), through its Parquet copy under `cache_dir` when one
is given (columnar_cache.py); anything else, or a CSV the columnar reader does not take, is read the
pandas way (loader.py). Both give the same arrays.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np

from adapters.history.columnar import CSV_SUFFIXES, SymbolColumns, Window, read_columns
from adapters.history.columnar_cache import cached_columns
from adapters.history.kline_fields import OPTIONAL_FLOATS
from domain.features import WARMUP_BARS, KlineArrays
from domain.time_units import DAY_MS, HOUR_MS, MINUTE_MS

WARMUP_MS = DAY_MS + WARMUP_BARS * MINUTE_MS + 6 * HOUR_MS


def load_klines(path: Path, symbols: Iterable[str] | None, start_ms: int | None, end_ms: int | None,
                *, interval: str | None = None, cache_dir: Path | None = None) -> dict[str, KlineArrays]:
    """1m klines of `path` (file, archive folder or cache folder) in [start - warm-up, end)."""
    wanted = [s.upper() for s in symbols] if symbols else None
    if path.is_file() and path.name.endswith(CSV_SUFFIXES):  # an archive CSV has no `symbol`: pandas
        window: Window = (start_ms - WARMUP_MS if start_ms is not None else None, end_ms)
        found = (cached_columns(path, cache_dir, wanted, window) if cache_dir is not None
                 else read_columns(path, wanted, window))
        if found is not None:
            return columns_to_klines(found)
    return load_klines_pandas(path, wanted, start_ms, end_ms, interval=interval)


def columns_to_klines(found: dict[str, SymbolColumns]) -> dict[str, KlineArrays]:
    """1m symbols as KlineArrays; optional columns the source lacks share one read-only NaN buffer."""
    longest = max((len(c.times) for c in found.values()), default=0)
    missing = np.full(longest, np.nan)
    missing.setflags(write=False)
    out: dict[str, KlineArrays] = {}
    for symbol, columns in found.items():
        if columns.interval_ms != MINUTE_MS:
            continue
        n, f = len(columns.times), columns.floats
        optional = [f.get(name, missing[:n]) for name in OPTIONAL_FLOATS]
        quote_volume, trades, taker_base = optional[0], optional[1], optional[2]
        out[symbol] = KlineArrays(columns.times, f["open"], f["high"], f["low"], f["close"], f["volume"],
                                  taker_buy_base_volume=taker_base, quote_volume=quote_volume, trades=trades)
    return out


def load_klines_pandas(path: Path, symbols: Iterable[str] | None, start_ms: int | None, end_ms: int | None,
                       *, interval: str | None = None) -> dict[str, KlineArrays]:
    """The pandas reader (every source; the reference the columnar path is tested against). Imported
    here: a columnar read never loads pandas."""
    from adapters.history.loader import clean_history, load_history
    from adapters.history.schema import to_kline_arrays

    out: dict[str, KlineArrays] = {}
    for symbol, history in load_history(path, symbols=symbols, interval=interval).items():
        if history.interval_ms != MINUTE_MS:
            continue
        frame = clean_history(history).frame
        times = frame["open_time_ms"]
        keep = (times >= (start_ms - WARMUP_MS if start_ms is not None else times.min()))
        if end_ms is not None:
            keep &= times < end_ms
        if keep.any():
            out[symbol] = to_kline_arrays(frame[keep].reset_index(drop=True))
    return out
