"""1m klines for a replay: kline files and folders -> one KlineArrays per symbol, sliced to a window.

The slice keeps WARMUP_MS of history before `start_ms` (the scanner's 24 h window, the features'
warm-up, then a margin) so the first traded minute sees what live would have seen.

A single recorded CSV (a `symbol` column) is read columnar (columnar.py), through its column copy under
`cache_dir` when one is given (columnar_cache.py), when that read serves the whole request; anything
else (archives, folders, several files, a CSV the columnar reader does not take, a request the data does
not match) is read the pandas way (loader.py, sources.py). Both give the same arrays. pyarrow and pandas
are imported only by the path that needs them: a read from the column copy imports numpy alone.

When the request does not match the data (a symbol it lacks, dates outside it, 1h bars for a 1m replay),
KlineRequestError says so in one line naming what the data holds: symbols, interval, period.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from adapters.history.columnar_cache import cached_columns
from adapters.history.kline_fields import OPTIONAL_FLOATS, KlineRequestError
from adapters.history.symbol_columns import SymbolColumns, Window
from domain.kline_arrays import WARMUP_BARS, KlineArrays
from domain.time_units import DAY_MS, HOUR_MS, MINUTE_MS

if TYPE_CHECKING:
    from adapters.history.loader import LoadProgress, SymbolHistory

CSV_SUFFIXES = (".csv", ".csv.xz", ".csv.gz", ".csv.bz2", ".csv.zst")  # as loader.CSV_SUFFIXES

WARMUP_MS = DAY_MS + WARMUP_BARS * MINUTE_MS + 6 * HOUR_MS


def load_klines(path: Path | Sequence[Path], symbols: Iterable[str] | None, start_ms: int | None,
                end_ms: int | None, *, interval: str | None = None, progress: LoadProgress | None = None,
                cache_dir: Path | None = None) -> dict[str, KlineArrays]:
    """1m klines of `path` (files, folders: recorded CSVs, Binance archives, the cache) in
    [start - warm-up, end). Raises KlineRequestError when nothing asked is there. `progress` hears how
    a large CSV's reading goes; `cache_dir` keeps a column copy of a recorded CSV for the next run."""
    given = [path] if isinstance(path, Path) else list(path)
    wanted = sorted({s.upper() for s in symbols}) if symbols else None
    earliest = start_ms - WARMUP_MS if start_ms is not None else None
    fast = _columnar(given, wanted, (earliest, end_ms), start_ms, interval, cache_dir)
    if fast is not None:
        return fast
    # the general readers (pandas) are imported only when the columnar path does not serve the request
    from adapters.history.loader import no_progress
    from adapters.history.sources import (
        all_held,
        holdings,
        kline_files,
        load_sources,
        minute_text,
        require_symbols,
        source_label,
    )

    files = [f for p in given for f in kline_files(p, interval="1m", window=(earliest, end_ms))]
    histories = (load_sources(files, symbols=wanted, interval=interval, progress=progress or no_progress)
                 if files else {})
    minute = {s: h for s, h in histories.items() if h.interval_ms == MINUTE_MS}
    label = source_label(given)
    require_symbols(histories, wanted, given)
    if not minute:
        held = holdings(histories) if histories else all_held(given)
        raise KlineRequestError(f"{label} holds {held}; the backtest replays 1m klines")
    out = {s: k for s, k in ((s, _sliced(h, earliest, end_ms)) for s, h in minute.items()) if k is not None}
    # a bar inside [start, end) somewhere: the warm-up alone is not a backtest
    tradable = bool(out) and (start_ms is None or any(int(k.open_time_ms[-1]) >= start_ms
                                                      for k in out.values()))
    if not tradable:
        asked = (f"from {minute_text(start_ms) if start_ms is not None else 'its start'} to "
                 f"{minute_text(end_ms - 1) if end_ms is not None else 'its end'} UTC")
        raise KlineRequestError(f"nothing {asked} in {label}: it holds {holdings(minute)}")
    return out


def _columnar(given: list[Path], wanted: list[str] | None, window: Window, start_ms: int | None,
              interval: str | None, cache_dir: Path | None) -> dict[str, KlineArrays] | None:
    """The columnar read of one recorded CSV, when it serves the whole request: every symbol asked,
    1m bars, one inside [start, end). None otherwise: the pandas path then reads it and names what the
    data lacks in its own words."""
    if len(given) != 1 or interval not in (None, "1m") or not given[0].is_file() \
            or not given[0].name.endswith(CSV_SUFFIXES):
        return None
    path = given[0]
    if cache_dir is not None:
        found = cached_columns(path, cache_dir, wanted, window)
    else:
        from adapters.history.columnar import read_columns  # pyarrow

        found = read_columns(path, wanted, window)
    if not found:
        return None
    klines = columns_to_klines(found)
    if not klines or len(klines) != len(found) or (wanted is not None and set(wanted) - set(klines)):
        return None
    if start_ms is not None and not any(len(k) and int(k.open_time_ms[-1]) >= start_ms
                                        for k in klines.values()):
        return None
    return klines


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
    """The pandas reader of one source, without the request checks: the reference the columnar path is
    tested against."""
    from adapters.history.loader import load_history

    earliest = start_ms - WARMUP_MS if start_ms is not None else None
    out: dict[str, KlineArrays] = {}
    for symbol, history in load_history(path, symbols=symbols, interval=interval).items():
        sliced = _sliced(history, earliest, end_ms) if history.interval_ms == MINUTE_MS else None
        if sliced is not None:
            out[symbol] = sliced
    return out


def _sliced(history: SymbolHistory, earliest: int | None, end_ms: int | None) -> KlineArrays | None:
    """The cleaned bars of `history` in [earliest, end); None when none is."""
    from adapters.history.loader import clean_history
    from adapters.history.schema import to_kline_arrays

    frame = clean_history(history).frame
    times = frame["open_time_ms"]
    keep = times >= (earliest if earliest is not None else times.min())
    if end_ms is not None:
        keep &= times < end_ms
    return to_kline_arrays(frame[keep].reset_index(drop=True)) if keep.any() else None


__all__ = ["WARMUP_MS", "KlineRequestError", "columns_to_klines", "load_klines", "load_klines_pandas"]
