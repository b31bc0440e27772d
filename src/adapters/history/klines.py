"""1m klines for a replay: any kline file or folder -> one KlineArrays per symbol, sliced to a window.

The slice keeps WARMUP_MS of history before `start_ms` (the scanner's 24 h window, the features'
warm-up, then a margin) so the first traded minute sees what live would have seen.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from adapters.history.loader import LoadProgress, clean_history, load_history, no_progress
from adapters.history.schema import to_kline_arrays
from domain.features import WARMUP_BARS, KlineArrays
from domain.time_units import DAY_MS, HOUR_MS, MINUTE_MS

WARMUP_MS = DAY_MS + WARMUP_BARS * MINUTE_MS + 6 * HOUR_MS


def load_klines(path: Path, symbols: Iterable[str] | None, start_ms: int | None, end_ms: int | None,
                *, interval: str | None = None,
                progress: LoadProgress = no_progress) -> dict[str, KlineArrays]:
    """1m klines of `path` (file, archive folder or cache folder) in [start - warm-up, end); `progress`
    hears how a large CSV's reading goes."""
    wanted = [s.upper() for s in symbols] if symbols else None
    out: dict[str, KlineArrays] = {}
    for symbol, history in load_history(path, symbols=wanted, interval=interval,
                                           progress=progress).items():
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
