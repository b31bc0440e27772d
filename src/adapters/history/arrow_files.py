"""Binance archive CSVs (inside their zip) and Parquet cache months read with pyarrow, the time window
pushed into the read: the same typed frame as the pandas readers give (schema.KLINE_COLUMNS, the same
checks), built only for the rows kept.

- An archive CSV is parsed by pyarrow's CSV reader straight from the zip member's stream (no copy of the
  unpacked bytes, no pandas parser), only the ten fields a kline frame holds (close_time and ignore are
  never converted); the window is cut on the Arrow columns before any frame is built.
- A Parquet month is read with `columns=` and `filters=` (row groups outside the window are skipped, rows
  outside it never converted).
Where the fast path is not sure (a bad value, a missing field, a header of another shape) it returns None
and the pandas reader decides, naming the bad row exactly as before. Archives and the cache have no
`symbol` column (the symbol is in the file or folder name), so there is none to dictionary-encode.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from adapters.history.columnar import as_numpy
from adapters.history.kline_fields import ARCHIVE_COLUMNS, KLINE_COLUMNS, MICROSECONDS_ABOVE, REQUIRED_FLOATS
from adapters.history.schema import HistoryDataError, checked_milliseconds, validate, validate_typed
from adapters.history.symbol_columns import Window

_FIELDS = [c for c in ARCHIVE_COLUMNS if c not in ("close_time", "ignore")]
_TYPES = {c: pa.int64() if c == "open_time" else pa.float64() for c in _FIELDS}
# Arrow's buffers from the system allocator: freed after the frame is built, numpy and pandas reuse them
# (from Arrow's own pool they would stay reserved beside the frames: +15-20 MB on the 28 zips measured)
_POOL = pa.system_memory_pool()


def arrow_archive_csv(archive: zipfile.ZipFile, member: str, source: str,
                      window: Window = (None, None)) -> pd.DataFrame | None:
    """The kline frame of `member` in [window), or None when the pandas reader must decide."""
    try:
        data = archive.read(member)  # one unpacked member (a month of 1m bars: ~5 MB), handed to Arrow as is
    except (OSError, zipfile.BadZipFile, EOFError):
        return None
    head = data[:1]
    if not head or not (head.isdigit() or head.isalpha()):
        return None  # empty, or leading blanks: parse_archive_csv's own handling
    try:
        table = pacsv.read_csv(
            pa.py_buffer(data), read_options=pacsv.ReadOptions(column_names=list(ARCHIVE_COLUMNS),
                                                               skip_rows=0 if head.isdigit() else 1),
            convert_options=pacsv.ConvertOptions(column_types=_TYPES, include_columns=_FIELDS),
            memory_pool=_POOL)
    except pa.ArrowException:
        return None
    del data
    if any(table.column(c).null_count for c in ("open_time", *REQUIRED_FLOATS)):
        return None
    times = checked_milliseconds(as_numpy(table.column("open_time")), source)
    frame = pd.DataFrame({"open_time_ms": times,
                          **{c: as_numpy(table.column(c)) for c in KLINE_COLUMNS[1:]}})
    validate(frame, source)  # the whole file, so a bad row is named as the pandas reader names it
    return cut_frame(frame, window)


def cut_frame(frame: pd.DataFrame, window: Window) -> pd.DataFrame:
    """The rows of `frame` whose open time is in [window) (all of it without one), in file order."""
    lo, hi = window
    if lo is None and hi is None:
        return frame
    times = frame["open_time_ms"].to_numpy()
    keep = np.ones(len(times), dtype=bool)
    if lo is not None:
        keep &= times >= lo
    if hi is not None:
        keep &= times < hi
    return frame if bool(keep.all()) else frame[keep].reset_index(drop=True)


def _time_filters(window: Window) -> list[list[tuple[str, str, int]]] | None:
    """The window as Parquet filters: in ms, or in us for a month stored in us (spot archives from 2025;
    a us time is >= MICROSECONDS_ABOVE, a plausible ms time far below it)."""
    lo, hi = window
    if lo is None and hi is None:
        return None
    in_ms = [("open_time_ms", ">=", lo)] if lo is not None else []
    in_ms.append(("open_time_ms", "<", hi if hi is not None else MICROSECONDS_ABOVE))
    first_us = max(lo * 1000, MICROSECONDS_ABOVE) if lo is not None else MICROSECONDS_ABOVE
    in_us = [("open_time_ms", ">=", first_us)]
    in_us += [("open_time_ms", "<", hi * 1000)] if hi is not None else []
    return [in_ms, in_us]


def arrow_parquet_frame(path: Path, window: Window = (None, None)) -> pd.DataFrame:
    """A cache month's rows in [window): only the kline columns, only the row groups and rows in it."""
    try:
        names = pq.read_schema(path).names
        missing = [c for c in KLINE_COLUMNS if c not in names]
        if missing:
            raise HistoryDataError(f"{path}: missing column(s) {', '.join(missing)}")
        table = pq.read_table(path, columns=list(KLINE_COLUMNS), filters=_time_filters(window))
        frame = table.to_pandas(memory_pool=_POOL)
    except (OSError, pa.ArrowException) as exc:
        raise HistoryDataError(f"{path}: unreadable Parquet file: {exc}") from exc
    return validate_typed(frame.loc[:, list(KLINE_COLUMNS)], str(path))
