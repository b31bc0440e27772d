"""Binance kline files as published (zip holding one CSV, or the CSV itself) and REST kline payloads.

Archive CSVs have no header and 12 fields (ARCHIVE_COLUMNS); a header line, if a file has one, is
skipped. Open times are ms, or us in spot archives from 2025-01-01 (detected by magnitude).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from adapters.history.arrow_files import arrow_archive_csv, cut_frame
from adapters.history.schema import ARCHIVE_COLUMNS, HistoryDataError, empty_frame, standardise
from adapters.history.symbol_columns import Window


def parse_archive_csv(data: bytes, source: str) -> pd.DataFrame:
    """Typed kline frame from the bytes of one archive CSV."""
    text = data.lstrip()
    if not text:
        return empty_frame()
    first_line = text.split(b"\n", 1)[0]
    header = 0 if not first_line[:1].isdigit() else None
    try:
        try:  # fast path: all numeric (float64 holds us open times exactly: < 2**53)
            raw = pd.read_csv(io.BytesIO(text), header=header, dtype="float64")
        except ValueError:  # a bad value: read as text so standardise can name its row and field
            raw = pd.read_csv(io.BytesIO(text), header=header, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise HistoryDataError(f"{source}: not a kline CSV: {exc}") from exc
    if raw.shape[1] != len(ARCHIVE_COLUMNS):
        raise HistoryDataError(
            f"{source}: expected {len(ARCHIVE_COLUMNS)} fields a row (Binance kline format), "
            f"got {raw.shape[1]}")
    raw.columns = list(ARCHIVE_COLUMNS)
    return standardise(raw, source)


def read_zip_csv(data: bytes | Path, source: str, window: Window = (None, None)) -> pd.DataFrame:
    """The kline frame of a published zip (one CSV inside; its bytes or its path), rows in [window):
    pyarrow's reader on the member's stream (arrow_files.py), pandas where that is not sure."""
    try:
        with zipfile.ZipFile(io.BytesIO(data) if isinstance(data, bytes) else data) as archive:
            names = [n for n in archive.namelist() if n.endswith(".csv")]
            if len(names) != 1:
                raise HistoryDataError(f"{source}: expected one CSV in the zip, found {names}")
            member = f"{source}:{names[0]}"
            fast = arrow_archive_csv(archive, names[0], member, window)
            if fast is not None:
                return fast
            return cut_frame(parse_archive_csv(archive.read(names[0]), member), window)
    except zipfile.BadZipFile as exc:
        raise HistoryDataError(f"{source}: corrupt zip: {exc}") from exc


def read_zip_csv_pandas(data: bytes, source: str) -> pd.DataFrame:
    """The reader before pyarrow (the whole member unpacked, then pandas): the reference in tests and
    benchmarks."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = [n for n in archive.namelist() if n.endswith(".csv")]
            if len(names) != 1:
                raise HistoryDataError(f"{source}: expected one CSV in the zip, found {names}")
            return parse_archive_csv(archive.read(names[0]), f"{source}:{names[0]}")
    except zipfile.BadZipFile as exc:
        raise HistoryDataError(f"{source}: corrupt zip: {exc}") from exc


def read_archive_file(path: Path, window: Window = (None, None)) -> pd.DataFrame:
    if path.suffix == ".zip":
        return read_zip_csv(path, str(path), window)
    return cut_frame(parse_archive_csv(path.read_bytes(), str(path)), window)


def parse_rest_klines(payload: Any, source: str) -> pd.DataFrame:
    """Typed kline frame from a GET /api/v3/klines answer (array of 12-field arrays)."""
    if not isinstance(payload, list):
        raise HistoryDataError(f"{source}: expected a JSON array of klines, got {type(payload).__name__}")
    for row, item in enumerate(payload):
        if not isinstance(item, Sequence) or isinstance(item, str) or len(item) < 11:
            raise HistoryDataError(f"{source}: row {row}: expected an array of 12 kline fields, got {item!r}")
    if not payload:
        return empty_frame()
    raw = pd.DataFrame([list(item[:12]) + [0] * (12 - len(item)) for item in payload],
                       columns=list(ARCHIVE_COLUMNS))
    return standardise(raw, source)
