"""Parquet cache of klines, one file per symbol/interval/month, written atomically (tmp file + rename):
an interrupted run leaves either the complete month or nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from adapters.history.arrow_files import arrow_parquet_frame
from adapters.history.atomic_file import write_atomically
from adapters.history.layout import CacheLayout, Month, day_start_ms, months_between
from adapters.history.schema import KLINE_COLUMNS, HistoryDataError, empty_frame, validate_typed
from adapters.history.symbol_columns import Window


class ChecksumMismatchError(HistoryDataError):
    """A downloaded archive whose SHA-256 differs from its published .CHECKSUM."""


def parse_checksum(text: str, source: str) -> str:
    """The hex digest of a Binance .CHECKSUM file ("<sha256>  <file name>")."""
    fields = text.split()
    if not fields or len(fields[0]) != 64 or any(ch not in "0123456789abcdefABCDEF" for ch in fields[0]):
        raise HistoryDataError(f"{source}: not a SHA-256 checksum file: {text[:80]!r}")
    return fields[0].lower()


class KlineCache:
    def __init__(self, root: Path) -> None:
        self.layout = CacheLayout(root)

    def has_month(self, symbol: str, interval: str, month: Month) -> bool:
        return self.layout.month_file(interval, symbol, month).is_file()

    def write_month(self, symbol: str, interval: str, month: Month, frame: pd.DataFrame, *,
                    complete: bool) -> Path:
        """Store a month (rows sorted, duplicates of an open time dropped); a complete month replaces its
        partial file."""
        frame = frame.loc[:, list(KLINE_COLUMNS)].sort_values("open_time_ms", kind="stable")
        frame = frame.drop_duplicates("open_time_ms", keep="last").reset_index(drop=True)
        inside = (frame["open_time_ms"] >= month.start_ms()) & (frame["open_time_ms"] < month.end_ms())
        frame = frame[inside].reset_index(drop=True)
        path = (self.layout.month_file if complete else self.layout.partial_file)(interval, symbol, month)
        table = pa.Table.from_pandas(frame, preserve_index=False)
        write_atomically(path, lambda tmp: pq.write_table(table, tmp))
        if complete:
            self.layout.partial_file(interval, symbol, month).unlink(missing_ok=True)
        return path

    def month_path(self, symbol: str, interval: str, month: Month) -> Path | None:
        for path in (self.layout.month_file(interval, symbol, month),
                     self.layout.partial_file(interval, symbol, month)):
            if path.is_file():
                return path
        return None

    def symbols(self, interval: str) -> list[str]:
        base = self.layout.root / "klines" / interval
        return sorted(p.name for p in base.iterdir() if p.is_dir()) if base.is_dir() else []

    def months(self, symbol: str, interval: str) -> list[Month]:
        folder = self.layout.symbol_dir(interval, symbol)
        if not folder.is_dir():
            return []
        names = {p.name.split(".")[0] for p in folder.glob("*.parquet") if not p.name.startswith(".")}
        return sorted(Month.parse(n) for n in names)

    def read(self, symbol: str, interval: str, start: date | None = None,
             end: date | None = None) -> pd.DataFrame:
        """Cached klines of [start, end] (dates inclusive, UTC); all cached months without bounds."""
        if start is not None and end is not None:
            months = months_between(start, end)
        else:
            months = self.months(symbol, interval)
        paths = [p for p in (self.month_path(symbol, interval, m) for m in months) if p is not None]
        window = (day_start_ms(start) if start is not None else None,
                  day_start_ms(end) + 86_400_000 if end is not None else None)
        frames = [read_parquet_frame(p, window) for p in paths]
        if not frames:
            return empty_frame()
        frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        if start is not None:
            frame = frame[frame["open_time_ms"] >= day_start_ms(start)]
        if end is not None:
            frame = frame[frame["open_time_ms"] < day_start_ms(end) + 86_400_000]
        return frame.reset_index(drop=True)


def read_parquet_frame(path: Path, window: Window = (None, None)) -> pd.DataFrame:
    """A cache month's kline frame, rows in [window) (the filter and the columns pushed into the read)."""
    return arrow_parquet_frame(path, window)


def read_parquet_frame_pandas(path: Path) -> pd.DataFrame:
    """The reader before the filters were pushed down (the whole table, then pandas): the reference in
    tests and benchmarks."""
    try:
        frame = pq.read_table(path).to_pandas()
    except (OSError, pa.ArrowException) as exc:
        raise HistoryDataError(f"{path}: unreadable Parquet file: {exc}") from exc
    missing = [c for c in KLINE_COLUMNS if c not in frame.columns]
    if missing:
        raise HistoryDataError(f"{path}: missing column(s) {', '.join(missing)}")
    return validate_typed(frame.loc[:, list(KLINE_COLUMNS)], str(path))
