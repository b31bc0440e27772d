"""Read kline histories into one typed frame per symbol, with a DataQualityReport each.

Sources: the Parquet cache (a cache root or a folder of it), folders or single files of Binance archives
as published (zip or CSV, names <SYMBOL>-<interval>-<period>), and CSV files with a `symbol` column and
a header (the recorded sets in ../shared/data, plain or .xz/.gz). Frames come back sorted by open time
in source order only if the source was; nothing is sorted, deduplicated or filled silently: the report
says what is wrong and `clean_history` repairs only what is safe, loudly.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd
from loguru import logger

from adapters.history.archive_files import parse_archive_name, read_archive_file
from adapters.history.cache import read_parquet_frame
from adapters.history.quality import DataQualityReport, check_quality, infer_interval_ms
from adapters.history.schema import INTERVAL_MS, HistoryDataError, interval_ms, standardise

CSV_SUFFIXES = (".csv", ".csv.xz", ".csv.gz", ".csv.bz2", ".csv.zst")
_INTERVAL_IN_NAME = re.compile(r"_(\d+[smhd])_")
_CHUNK_ROWS = 500_000
_COMPRESSION: dict[str, Literal["xz", "gzip", "bz2", "zstd"]] = {
    ".xz": "xz", ".gz": "gzip", ".bz2": "bz2", ".zst": "zstd"}
# (what, done, total): "bytes" read of the (compressed) file, then "symbols" checked; for progress bars
LoadProgress = Callable[[str, int, int], None]


def no_progress(_what: str, _done: int, _total: int) -> None:
    """The default: nobody is told."""


@dataclass(frozen=True, slots=True)
class SymbolHistory:
    symbol: str
    interval_ms: int
    frame: pd.DataFrame
    report: DataQualityReport


def _history(symbol: str, frame: pd.DataFrame, step_ms: int | None) -> SymbolHistory:
    step = step_ms or infer_interval_ms(frame)
    return SymbolHistory(symbol, step, frame, check_quality(frame, symbol, step))


def load_symbol_csv(path: Path, symbols: Iterable[str] | None = None, nrows: int | None = None,
                    progress: LoadProgress = no_progress) -> dict[str, SymbolHistory]:
    """A CSV with a header and a `symbol` column (shared/data layout). With `symbols`, the file is read
    in chunks and reading stops once the wanted symbols' rows are past (files are sorted by symbol).
    `progress` hears the file's bytes read (compressed: the total is the file's size), then the symbols
    checked."""
    wanted = {s.upper() for s in symbols} if symbols is not None else None
    parts: list[pd.DataFrame] = []
    seen: set[str] = set()
    rows_read = 0
    try:
        size = path.stat().st_size
        with path.open("rb") as source:
            reader = pd.read_csv(source, nrows=nrows, chunksize=_CHUNK_ROWS, dtype={"symbol": str},
                                 compression=_COMPRESSION.get(path.suffix))
            for chunk in reader:
                if "symbol" not in chunk.columns:
                    if any(str(c)[:1].isdigit() for c in chunk.columns):
                        raise HistoryDataError(f"{path}: no header line (the first row holds data); a kline "
                                               "CSV starts with symbol,open_time,open,high,low,close,volume")
                    raise HistoryDataError(f"{path}: no 'symbol' column (columns: {list(chunk.columns)})")
                rows_read += len(chunk)
                if wanted is not None:
                    chunk = chunk[chunk["symbol"].isin(wanted)]
                    seen.update(chunk["symbol"].unique())
                parts.append(chunk)
                progress("bytes", source.tell(), size)
                if wanted is not None and seen == wanted and chunk.empty:
                    break
    except pd.errors.EmptyDataError:
        raise HistoryDataError(f"{path}: the file is empty (no header, no rows)") from None
    except (pd.errors.ParserError, UnicodeDecodeError, EOFError, OSError) as exc:
        raise HistoryDataError(f"{path}: cannot read as CSV: {exc}") from exc
    if rows_read == 0:
        raise HistoryDataError(f"{path}: a header and no kline rows")
    progress("bytes", size, size)
    raw = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["symbol"])
    named = _INTERVAL_IN_NAME.search(path.name)
    step = interval_ms(named.group(1)) if named else None
    out: dict[str, SymbolHistory] = {}
    groups = raw.groupby("symbol", sort=True)
    for done, (symbol, rows) in enumerate(groups, start=1):
        frame = standardise(rows.reset_index(drop=True), f"{path} [{symbol}]")
        out[str(symbol)] = _history(str(symbol), frame, step)
        progress("symbols", done, groups.ngroups)
    return out


def load_archive_files(paths: Iterable[Path]) -> dict[str, SymbolHistory]:
    """Binance archive files (zip/CSV as published), concatenated per symbol in period order."""
    by_symbol: dict[tuple[str, str], list[tuple[str, Path]]] = {}
    for path in paths:
        parsed = parse_archive_name(path.name)
        if parsed is None:
            raise HistoryDataError(f"{path}: not a Binance archive name (<SYMBOL>-<interval>-<period>.zip)")
        symbol, interval, period = parsed
        by_symbol.setdefault((symbol, interval), []).append((period, path))
    out: dict[str, SymbolHistory] = {}
    for (symbol, interval), files in sorted(by_symbol.items()):
        if symbol in out:
            raise HistoryDataError(f"{symbol}: archives of several intervals mixed in one load")
        frames = [read_archive_file(p) for _, p in sorted(files)]
        frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        out[symbol] = _history(symbol, frame, interval_ms(interval))
    return out


def load_parquet_files(paths: Iterable[Path], interval: str | None = None) -> dict[str, SymbolHistory]:
    """Cache month files (<...>/klines/<interval>/<SYMBOL>/<YYYY-MM>.parquet), in month order."""
    by_symbol: dict[str, list[Path]] = {}
    for path in paths:
        by_symbol.setdefault(path.parent.name, []).append(path)
    out: dict[str, SymbolHistory] = {}
    for symbol, files in sorted(by_symbol.items()):
        ordered = sorted(files, key=lambda p: p.name.split(".")[0])
        frame = pd.concat([read_parquet_frame(p) for p in ordered], ignore_index=True)
        step = INTERVAL_MS.get(interval or ordered[0].parent.parent.name)
        out[symbol] = _history(symbol, frame, step)
    return out


def load_history(path: Path, *, symbols: Iterable[str] | None = None, nrows: int | None = None,
                 interval: str | None = None,
                 progress: LoadProgress = no_progress) -> dict[str, SymbolHistory]:
    """Any supported source: a file, an archive folder, or a cache folder (searched recursively).
    `progress` is told how a symbol CSV's reading goes (the other sources read quickly)."""
    if not path.exists():
        raise HistoryDataError(f"{path}: no such file or folder")
    wanted = {s.upper() for s in symbols} if symbols is not None else None
    if path.is_file():
        if parse_archive_name(path.name):
            found = load_archive_files([path])
        elif path.suffix == ".parquet":
            found = load_parquet_files([path], interval)
        elif path.name.endswith(CSV_SUFFIXES):
            return load_symbol_csv(path, wanted, nrows, progress)
        else:
            raise HistoryDataError(f"{path}: unknown kline file type")
    else:
        files = [p for p in sorted(path.rglob("*")) if p.is_file() and not p.name.startswith(".")]
        archives = [p for p in files if parse_archive_name(p.name)]
        parquets = [p for p in files if p.suffix == ".parquet"]
        if archives and parquets:
            raise HistoryDataError(f"{path}: holds both archive files and Parquet cache files; pick one")
        found = load_archive_files(archives) if archives else load_parquet_files(parquets, interval)
        if not found:
            raise HistoryDataError(f"{path}: no kline files found")
    return {s: h for s, h in found.items() if wanted is None or s in wanted}


def clean_history(history: SymbolHistory) -> SymbolHistory:
    """Sort by open time and drop exact duplicate rows, logging it; refuse conflicting duplicates.
    Gaps are left as they are."""
    report = history.report
    if not (report.duplicates or report.non_monotonic):
        return history
    if report.conflicting_duplicates:
        raise HistoryDataError(f"{history.symbol}: {report.conflicting_duplicates} open time(s) appear twice "
                               "with different values; cannot choose one")
    frame = history.frame.sort_values("open_time_ms", kind="stable").drop_duplicates("open_time_ms")
    logger.warning("{}: sorted {} non-monotonic row(s), dropped {} exact duplicate(s)", history.symbol,
                   report.non_monotonic, report.duplicates)
    return _history(history.symbol, frame.reset_index(drop=True), history.interval_ms)
