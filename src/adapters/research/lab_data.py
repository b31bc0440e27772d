"""Any 1m kline data a user has, for the lab: files, folders (archives or the Parquet cache), merged per
symbol. Where two sources hold the same (symbol, minute), the first path given wins. No file names are
assumed: the periods come from the data's own time (application.research.market_periods).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from adapters.history.histories import read_histories
from adapters.history.loader import clean_history
from adapters.history.schema import HistoryDataError, to_kline_arrays
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
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out += [p for p in sorted(path.rglob("*")) if p.is_file() and not p.name.startswith(".")]
        elif path.exists():
            out.append(path)
    return tuple(out)


def load_lab_data(paths: Sequence[Path], *, symbols: Iterable[str] | None = None,
                  max_days: float | None = None) -> LabData:
    """The klines of every path, 1m only (HistoryDataError otherwise); `max_days` keeps the first days
    of each path (quick runs)."""
    frames: dict[str, list[pd.DataFrame]] = {}
    for path in paths:
        found = {s: clean_history(h) for s, h in read_histories(path, symbols)}
        for symbol, history in found.items():
            if history.interval_ms != MINUTE_MS:
                raise HistoryDataError(f"{path}: {symbol} is not 1m klines (the lab resamples 1m bars)")
        first = min((int(h.frame["open_time_ms"].iloc[0]) for h in found.values() if len(h.frame)), default=0)
        for symbol, history in found.items():
            frame = history.frame
            if max_days is not None:
                frame = frame[frame["open_time_ms"] < first + max_days * DAY_MS]
            frames.setdefault(symbol, []).append(frame)
    if not frames:
        raise HistoryDataError(f"no klines in {', '.join(str(p) for p in paths)}")
    merged = {s: _merged(parts) for s, parts in sorted(frames.items())}
    klines = {s: to_kline_arrays(f.reset_index(drop=True)) for s, f in merged.items() if len(f)}
    return LabData(klines, data_files(paths))


def _merged(frames: list[pd.DataFrame]) -> pd.DataFrame:
    if len(frames) == 1:
        return frames[0]
    merged = pd.concat(frames, ignore_index=True).drop_duplicates("open_time_ms", keep="first")
    return merged.sort_values("open_time_ms", kind="stable").reset_index(drop=True)


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
