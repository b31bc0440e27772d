"""Read kline histories into one typed frame per symbol, with a DataQualityReport each.

Sources: the Parquet cache (a cache root or a folder of it), Binance archives as published (zip or CSV,
names <SYMBOL>-<interval>-<period>), and CSV files with a `symbol` column and a header (the recorded sets
in ../shared/data, plain or .xz/.gz); each as a single file, or any folder holding them (kline_formats.py:
every kind found is read, each symbol's rows of several files joined). Frames come back sorted by open
time in source order only if the source was; nothing is sorted, deduplicated or filled silently: the report
says what is wrong and `clean_history` repairs only what is safe, loudly.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd
from loguru import logger

from adapters.history.archive_files import read_archive_file
from adapters.history.cache import read_parquet_frame
from adapters.history.kline_formats import CSV_SUFFIXES as CSV_SUFFIXES  # re-exported
from adapters.history.kline_formats import folder_files, named_interval, nothing_readable, parse_archive_name
from adapters.history.quality import DataQualityReport, check_quality, infer_interval_ms
from adapters.history.schema import INTERVAL_MS, HistoryDataError, interval_ms, standardise

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
    """Any supported source: a file, or a folder of kline files of any kind (searched recursively;
    `interval`: only that interval's files and symbols of a folder). `progress` is told how a symbol CSV's
    reading goes (the other sources read quickly)."""
    if not path.exists():
        raise HistoryDataError(f"{path}: no such file or folder")
    wanted = {s.upper() for s in symbols} if symbols is not None else None
    if path.is_dir():
        return load_folder(path, wanted, interval, lambda csv: load_symbol_csv(csv, wanted, nrows, progress))
    if parse_archive_name(path.name):
        found = load_archive_files([path])
    elif path.suffix == ".parquet":
        found = load_parquet_files([path], interval)
    elif path.name.endswith(CSV_SUFFIXES):
        return load_symbol_csv(path, wanted, nrows, progress)
    else:
        raise HistoryDataError(f"{path}: unknown kline file type")
    return {s: h for s, h in found.items() if wanted is None or s in wanted}


def load_folder(folder: Path, wanted: set[str] | None, interval: str | None,
                read_csv: Callable[[Path], dict[str, SymbolHistory]]) -> dict[str, SymbolHistory]:
    """Every kline file of `folder` as one data set: recorded CSVs (each read by `read_csv`), archives and
    Parquet files, each symbol's rows of several files joined in path order. With `interval`, files named
    for another interval are skipped and so are symbols whose bars are of another one."""
    csvs, archives, parquets = interval_files(folder, interval)
    parts = [read_csv(p) for p in csvs]
    if archives:
        parts.append(load_archive_files(archives))
    if parquets:
        parts.append(load_parquet_files(parquets, interval))
    parts = [{s: h for s, h in part.items() if wanted is None or s in wanted} for part in parts]
    return join_histories(parts, None if interval is None else interval_ms(interval), str(folder))


def interval_files(folder: Path, interval: str | None) -> tuple[list[Path], list[Path], list[Path]]:
    """The recorded CSVs, archives and Parquet files of `folder` that may hold `interval` klines (all
    without one); HistoryDataError in one line when there are none."""
    files = folder_files(folder)
    if not files:
        raise HistoryDataError(nothing_readable(folder))
    csvs = [p for p in files.csvs if interval is None or named_interval(p) in (None, interval)]
    archives = [p for p in files.archives if interval is None or _archive_interval(p) == interval]
    parquets = [p for p in files.parquets  # cache layout: <interval>/<SYMBOL>/<month>.parquet
                if interval is None or p.parent.parent.name == interval
                or p.parent.parent.name not in INTERVAL_MS]
    if not (csvs or archives or parquets):
        raise HistoryDataError(f"{folder}: no {interval} kline files in this folder (only other intervals)")
    return csvs, archives, parquets


def _archive_interval(path: Path) -> str | None:
    parsed = parse_archive_name(path.name)
    return parsed[1] if parsed else None


def interval_text(step_ms: int) -> str:
    return next((name for name, ms in INTERVAL_MS.items() if ms == step_ms), f"{step_ms} ms")


def join_histories(parts: Sequence[dict[str, SymbolHistory]], step_ms: int | None = None,
                   source: str = "the data given") -> dict[str, SymbolHistory]:
    """Each symbol's histories of several sources as one (rows concatenated in source order; clean_history
    then sorts them and drops exact duplicates). `step_ms`: only histories of that interval are kept;
    without it, one symbol in two intervals is refused. The parts are emptied as they are taken, so each
    frame is freed once its symbol is joined."""
    by_symbol: dict[str, list[SymbolHistory]] = {}
    for part in parts:
        for symbol, history in part.items():
            if step_ms is None or history.interval_ms == step_ms:
                by_symbol.setdefault(symbol, []).append(history)
        part.clear()
    out: dict[str, SymbolHistory] = {}
    for symbol in list(by_symbol):  # in the order the symbols first appear, as before
        histories = by_symbol.pop(symbol)
        steps = {h.interval_ms for h in histories}
        if len(steps) > 1:
            shown = " and ".join(interval_text(s) for s in sorted(steps))
            raise HistoryDataError(f"{symbol}: {source} mixes {shown} klines; give one interval")
        if len(histories) == 1:
            out[symbol] = histories[0]
            continue
        frame = pd.concat([h.frame for h in histories], ignore_index=True)
        del histories
        step = steps.pop()
        out[symbol] = SymbolHistory(symbol, step, frame, check_quality(frame, symbol, step))
    return out


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
