"""1m klines for a replay: kline files and folders -> one KlineArrays per symbol, sliced to a window.

The slice keeps WARMUP_MS of history before `start_ms` (the scanner's 24 h window, the features'
warm-up, then a margin) so the first traded minute sees what live would have seen.

When the request does not match the data (a symbol it lacks, dates outside it, 1h bars for a 1m replay),
KlineRequestError says so in one line naming what the data holds: symbols, interval, period.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from adapters.history.loader import LoadProgress, clean_history, no_progress
from adapters.history.schema import to_kline_arrays
from adapters.history.sources import (
    KlineRequestError,
    all_held,
    holdings,
    kline_files,
    load_sources,
    minute_text,
    require_symbols,
    source_label,
)
from domain.features import WARMUP_BARS, KlineArrays
from domain.time_units import DAY_MS, HOUR_MS, MINUTE_MS

WARMUP_MS = DAY_MS + WARMUP_BARS * MINUTE_MS + 6 * HOUR_MS


def load_klines(path: Path | Sequence[Path], symbols: Iterable[str] | None, start_ms: int | None,
                end_ms: int | None, *, interval: str | None = None,
                progress: LoadProgress = no_progress) -> dict[str, KlineArrays]:
    """1m klines of `path` (files, folders: recorded CSVs, Binance archives, the cache) in
    [start - warm-up, end). Raises KlineRequestError when nothing asked is there. `progress` hears how
    a large CSV's reading goes."""
    given = [path] if isinstance(path, Path) else list(path)
    wanted = sorted({s.upper() for s in symbols}) if symbols else None
    earliest = start_ms - WARMUP_MS if start_ms is not None else None
    files = [f for p in given for f in kline_files(p, interval="1m", window=(earliest, end_ms))]
    histories = load_sources(files, symbols=wanted, interval=interval, progress=progress) if files else {}
    minute = {s: h for s, h in histories.items() if h.interval_ms == MINUTE_MS}
    label = source_label(given)
    require_symbols(histories, wanted, given)
    if not minute:
        held = holdings(histories) if histories else all_held(given)
        raise KlineRequestError(f"{label} holds {held}; the backtest replays 1m klines")
    out: dict[str, KlineArrays] = {}
    tradable = False  # a bar inside [start, end) somewhere: the warm-up alone is not a backtest
    for symbol, history in minute.items():
        frame = clean_history(history).frame
        times = frame["open_time_ms"]
        keep = times >= (earliest if earliest is not None else times.min())
        if end_ms is not None:
            keep &= times < end_ms
        if keep.any():
            out[symbol] = to_kline_arrays(frame[keep].reset_index(drop=True))
            tradable = tradable or bool((keep & (times >= start_ms)).any() if start_ms is not None else True)
    if not tradable:
        asked = (f"from {minute_text(start_ms) if start_ms is not None else 'its start'} to "
                 f"{minute_text(end_ms - 1) if end_ms is not None else 'its end'} UTC")
        raise KlineRequestError(f"nothing {asked} in {label}: it holds {holdings(minute)}")
    return out


__all__ = ["WARMUP_MS", "KlineRequestError", "load_klines"]
