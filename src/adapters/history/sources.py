"""Several kline sources read as one, and what they hold, said in one line when a request does not match.

`--data` may name a file, several files, a folder or a glob (expanded by the command). A folder of
recorded CSVs only (../shared/data/freqtrade_userdata, data/sample) stands for its CSV files (so their
names can be matched to the interval and window asked); any other folder (archives, the Parquet cache,
kinds mixed) is read whole by `load_history`. Each symbol's rows from several files are concatenated
(clean_history then sorts them and drops exact duplicates).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from adapters.history.kline_fields import KlineRequestError
from adapters.history.kline_formats import folder_files, named_interval
from adapters.history.loader import (
    LoadProgress,
    SymbolHistory,
    interval_text,
    join_histories,
    load_history,
    no_progress,
)
from adapters.history.schema import HistoryDataError
from domain.time_units import DAY_MS, day_start_ms

_DATES_IN_NAME = re.compile(r"_(\d{4}-\d{2}-\d{2})_(\d{4}-\d{2}-\d{2})_")
_NAMES_SHOWN = 6


def minute_text(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M")


def named_span_ms(path: Path) -> tuple[int, int] | None:
    """[first day 00:00, the day after the last) from a name such as `..._2026-03-31_2026-04-03_...`."""
    found = _DATES_IN_NAME.search(path.name)
    if found is None:
        return None
    try:
        first, last = (day_start_ms(d) for d in found.groups())
    except ValueError:  # digits shaped like a date that is none (2026-13-40): not a span
        return None
    return first, last + DAY_MS


def kline_files(path: Path, *, interval: str | None = None,
                window: tuple[int | None, int | None] = (None, None)) -> list[Path]:
    """A folder of recorded CSVs only -> its CSV files (only those of `interval`, and only those whose name
    overlaps `window` when it says its dates); any other path -> itself."""
    if not path.is_dir():
        return [path]
    found = folder_files(path)
    csvs = list(found.csvs)
    if not csvs or found.archives or found.parquets:
        return [path]  # archives, the Parquet cache, kinds mixed or nothing: load_history reads the folder
    if interval is not None:
        csvs = [p for p in csvs if named_interval(p) in (None, interval)]
    start, end = window
    spans = {p: named_span_ms(p) for p in csvs}
    return [p for p, span in spans.items() if span is None
            or ((start is None or span[1] > start) and (end is None or span[0] < end))]


def load_sources(paths: Sequence[Path], *, symbols: Iterable[str] | None = None, interval: str | None = None,
                 progress: LoadProgress = no_progress) -> dict[str, SymbolHistory]:
    """Every path read with `load_history`, each symbol's rows of several sources concatenated."""
    wanted = sorted({s.upper() for s in symbols}) if symbols is not None else None
    return join_histories([load_history(path, symbols=wanted, interval=interval, progress=progress)
                           for path in paths])


def source_label(paths: Sequence[Path]) -> str:
    if len(paths) == 1:
        return str(paths[0])
    names = ", ".join(p.name for p in paths[:3])
    return f"the {len(paths)} sources given ({names}{', ...' if len(paths) > 3 else ''})"


def holdings(histories: dict[str, SymbolHistory]) -> str:
    """`1m klines of BTCUSDT, ETHUSDT from 2026-03-31 00:00 to 2026-04-03 23:59 UTC` (one clause per
    interval found)."""
    if not histories:
        return "no klines"
    by_step: dict[int, list[SymbolHistory]] = {}
    for history in histories.values():
        by_step.setdefault(history.interval_ms, []).append(history)
    clauses = []
    for step, group in sorted(by_step.items()):
        names = sorted(h.symbol for h in group)
        shown = ", ".join(names[:_NAMES_SHOWN]) + (f" (+{len(names) - _NAMES_SHOWN} more)"
                                                   if len(names) > _NAMES_SHOWN else "")
        times = [h.frame["open_time_ms"] for h in group if len(h.frame)]
        span = (f" from {minute_text(int(min(t.min() for t in times)))} to "
                f"{minute_text(int(max(t.max() for t in times)))} UTC") if times else ""
        clauses.append(f"{interval_text(step)} klines of {shown}{span}")
    return "; ".join(clauses)


def all_held(given: Sequence[Path]) -> str:
    """What the sources hold, every symbol and interval (read again without filters: an error path)."""
    files = [f for p in given for f in kline_files(p)]
    described = []
    for file in files:
        try:
            held = holdings(load_sources([file]))
        except HistoryDataError as exc:
            held = f"nothing readable ({exc})"
        described.append(held if len(files) == 1 else f"{file.name}: {held}")
    return "; ".join(described)


def require_symbols(histories: dict[str, SymbolHistory], wanted: Iterable[str] | None,
                    given: Sequence[Path]) -> None:
    """KlineRequestError naming the asked symbols the data lacks, and what it holds."""
    missing = [s for s in sorted({w.upper() for w in wanted or ()}) if s not in histories]
    if missing:
        raise KlineRequestError(
            f"{', '.join(missing)} not in {source_label(given)}: it holds {all_held(given)}")
