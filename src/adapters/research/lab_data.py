"""Any 1m kline data a user has, for the lab: files, folders (recorded CSVs, archives, the Parquet cache,
any mix: a folder's files of other intervals are left out), merged per symbol.
Where two sources hold the same (symbol, minute), the first path given wins. No file names are
assumed: the periods come from the data's own time (application.research.market_periods).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from adapters.history.histories import read_histories
from adapters.history.loader import clean_history, interval_files
from adapters.history.schema import HistoryDataError, to_kline_arrays
from adapters.history.sources import kline_files
from adapters.process_heap import release_freed_memory
from domain.features import KlineArrays
from domain.time_units import DAY_MS, MINUTE_MS


@dataclass(frozen=True)
class LabData:
    klines: dict[str, KlineArrays]
    files: tuple[Path, ...]  # every file read (hashed by the data registry)

    def describe(self) -> str:
        rows = sum(len(k) for k in self.klines.values())
        return f"{len(self.klines)} pairs, {rows:,} 1m bars from {len(self.files)} file(s)"


def data_files(paths: Iterable[Path]) -> tuple[Path, ...]:
    """The files `paths` stand for (of a folder: its 1m kline files, not its READMEs or column copies)."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out += sorted(p for kind in interval_files(path, "1m") for p in kind)
        elif path.exists():
            out.append(path)
    return tuple(out)


def load_lab_data(paths: Sequence[Path], *, symbols: Iterable[str] | None = None,
                  max_days: float | None = None) -> LabData:
    """The klines of every path, 1m only (HistoryDataError otherwise); `max_days` keeps the first days
    of each path (quick runs). Each symbol's frame becomes arrays as soon as it is read, and a column a
    file does not have (all NaN) is one shared read-only buffer: the data is held once, compactly."""
    nan = _NanColumns()
    parts: dict[str, list[KlineArrays]] = {}
    for path in _sources(paths):
        found: dict[str, KlineArrays] = {}
        for symbol, history in read_histories(path, symbols, interval="1m"):
            if history.interval_ms != MINUTE_MS:
                raise HistoryDataError(f"{path}: {symbol} is not 1m klines (the lab resamples 1m bars)")
            found[symbol] = nan.shared(_arrays(clean_history(history).frame))
        first = min((int(k.open_time_ms[0]) for k in found.values() if len(k)), default=0)
        for symbol, k in found.items():
            if max_days is not None:
                k = _taken(k, k.open_time_ms < first + max_days * DAY_MS)
            parts.setdefault(symbol, []).append(k)
    if not parts:
        raise HistoryDataError(f"no klines in {', '.join(str(p) for p in paths)}")
    merged = {s: nan.shared(_merged(parts.pop(s))) for s in sorted(parts)}
    release_freed_memory()  # the parsers' buffers (~200 MB on the shared 1m files)
    return LabData({s: k for s, k in merged.items() if len(k)}, data_files(paths))


def _sources(paths: Sequence[Path]) -> list[Path]:
    """A folder of recorded CSVs only stands for its 1m files, each read as if given on its own (one
    file's rows at a time: ~200 MB less than joining the folder's frames on freqtrade_userdata); any
    other folder is read whole (its kinds joined), or says in one line why it holds no 1m klines."""
    return [f for p in paths for f in (kline_files(p, interval="1m") or [p])]


def _arrays(frame: pd.DataFrame) -> KlineArrays:
    """Own copies of the frame's columns (a column read from a frame can be a view of all of them)."""
    k = to_kline_arrays(frame.reset_index(drop=True))
    return KlineArrays(*(np.array(getattr(k, c), copy=True) for c in COLUMNS))


def _taken(k: KlineArrays, keep: npt.NDArray[np.bool_]) -> KlineArrays:
    return KlineArrays(*(getattr(k, c)[keep] for c in COLUMNS))


def _merged(parts: list[KlineArrays]) -> KlineArrays:
    """One symbol's parts in time order; where two hold the same minute, the first part's bar."""
    if len(parts) == 1:
        return parts[0]
    times = np.concatenate([k.open_time_ms for k in parts])
    _, first = np.unique(times, return_index=True)  # sorted times, each one's first occurrence
    return KlineArrays(*(np.concatenate([getattr(k, c) for k in parts])[first] for c in COLUMNS))


class _NanColumns:
    """All-NaN optional columns (volumes and trades a file lacks) share one read-only buffer."""

    def __init__(self) -> None:
        self._buffer = np.empty(0)

    def shared(self, k: KlineArrays) -> KlineArrays:
        return KlineArrays(k.open_time_ms, k.open, k.high, k.low, k.close, k.volume,
                           self._column(k.taker_buy_base_volume), self._column(k.quote_volume),
                           self._column(k.trades))

    def _column(self, column: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        if not len(column) or not bool(np.isnan(column).all()):
            return column
        if len(self._buffer) < len(column):
            self._buffer = np.full(max(len(column), 2 * len(self._buffer)), np.nan)
            self._buffer.flags.writeable = False
        return self._buffer[: len(column)]


def joined(first: LabData, then: LabData) -> LabData:
    """The study's data followed by the holdout's, per symbol (they never overlap: the registry refused
    holdout data a study read)."""
    klines = dict(first.klines)
    for symbol, k in then.klines.items():
        if symbol in klines:
            a = klines[symbol]
            both = [np.concatenate([getattr(a, f), getattr(k, f)]) for f in COLUMNS]
            order = np.argsort(both[0], kind="stable")
            klines[symbol] = KlineArrays(*(column[order] for column in both))
        else:
            klines[symbol] = k
    return LabData(klines, first.files + then.files)


COLUMNS = ("open_time_ms", "open", "high", "low", "close", "volume", "taker_buy_base_volume", "quote_volume",
           "trades")
