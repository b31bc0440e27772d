"""What the venue replays: recorded 1m klines per symbol, as KlineArrays sorted by open time.

Loading goes through adapters.history (the one reader of kline files). A folder of the shared-data CSV
files (names like `binance_spot_1m_2021-04-02_2021-05-31_96pairs.csv.xz`) is narrowed to the file that
covers `start`; any other source `load_history` understands (a file, archives, the Parquet cache) is
read as is. Only the window the venue needs is kept: `warmup` before `start` (24 h tickers, REST
history) and `minutes` after it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from adapters.history.loader import CSV_SUFFIXES, LoadProgress, clean_history, load_history, no_progress
from adapters.history.schema import HistoryDataError, to_kline_arrays
from adapters.history.sources import all_held, load_sources, source_label
from domain.features import KlineArrays
from domain.time_units import DAY_MS, MINUTE_MS, day_start_ms
from domain.values import Candle

_DATES_IN_NAME = re.compile(r"_1m_(\d{4}-\d{2}-\d{2})_(\d{4}-\d{2}-\d{2})_")


@dataclass(frozen=True)
class VenueData:
    """1m bars per symbol (upper-case names), open times strictly increasing and minute-aligned."""

    bars: Mapping[str, KlineArrays]

    def __post_init__(self) -> None:
        if not self.bars:
            raise HistoryDataError("the venue needs at least one symbol with 1m bars")
        for symbol, k in self.bars.items():
            times = k.open_time_ms
            if len(times) == 0:
                raise HistoryDataError(f"{symbol}: no bars")
            if np.any(np.diff(times) <= 0) or np.any(times % MINUTE_MS):
                raise HistoryDataError(f"{symbol}: open times must be increasing whole minutes")

    @property
    def symbols(self) -> tuple[str, ...]:
        return tuple(sorted(self.bars))

    @property
    def first_open_ms(self) -> int:
        return min(int(k.open_time_ms[0]) for k in self.bars.values())

    @property
    def last_open_ms(self) -> int:
        return max(int(k.open_time_ms[-1]) for k in self.bars.values())

    def default_start_ms(self) -> int:
        """A day after the first bar (a full 24 h ticker window and REST history), or half-way
        through shorter data."""
        span = self.last_open_ms - self.first_open_ms
        return self.first_open_ms + (DAY_MS if span > DAY_MS else span // 2 // MINUTE_MS * MINUTE_MS)

    @classmethod
    def from_candles(cls, candles: Mapping[str, Sequence[Candle]]) -> VenueData:
        return cls({s.upper(): KlineArrays.from_candles(list(c)) for s, c in candles.items() if c})


def parse_day(text: str) -> int:
    """`YYYY-MM-DD` (UTC) -> epoch milliseconds (domain.time_units, the one day parser)."""
    try:
        return day_start_ms(text)
    except ValueError:
        raise ValueError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def _covering_csv(folder: Path, start_ms: int | None) -> Path | None:
    """The shared-data 1m CSV in `folder` whose date range holds `start_ms` (the first one without)."""
    candidates = []
    for path in sorted(folder.iterdir()):
        match = _DATES_IN_NAME.search(path.name)
        if match and path.name.endswith(CSV_SUFFIXES):
            first, last = parse_day(match.group(1)), parse_day(match.group(2)) + DAY_MS
            candidates.append((first, last, path))
    for first, last, path in candidates:
        if start_ms is None or first <= start_ms < last:
            return path
    return None


def _window(k: KlineArrays, start_ms: int, end_ms: int) -> KlineArrays:
    lo, hi = np.searchsorted(k.open_time_ms, [start_ms, end_ms])
    part = slice(int(lo), int(hi))
    return KlineArrays(k.open_time_ms[part], k.open[part], k.high[part], k.low[part], k.close[part],
                       k.volume[part], k.taker_buy_base_volume[part], k.quote_volume[part], k.trades[part])


def load_venue_data(path: Path | Sequence[Path], *, symbols: Iterable[str] | None = None,
                    start_ms: int | None = None, minutes: int | None = None,
                    warmup_ms: int = DAY_MS, progress: LoadProgress = no_progress) -> VenueData:
    """Read recorded 1m klines for the venue (a file, a folder, or several files read as one); raises
    HistoryDataError naming what is wrong. `progress` hears how the reading goes (a large CSV takes tens
    of seconds)."""
    given = [path] if isinstance(path, Path) else list(path)
    wanted = [s.upper() for s in symbols] if symbols else None
    source: Path | str = given[0]
    if len(given) > 1:
        source = source_label(given)
        histories = load_sources(given, symbols=wanted, progress=progress)
    else:
        if given[0].is_dir():
            source = _covering_csv(given[0], start_ms) or given[0]
        histories = load_history(Path(source), symbols=wanted, progress=progress)
    bars: dict[str, KlineArrays] = {}
    for symbol, history in histories.items():
        if history.interval_ms != MINUTE_MS:
            raise HistoryDataError(
                f"{source} [{symbol}]: the venue replays 1m bars, got {history.interval_ms} ms bars")
        k = to_kline_arrays(clean_history(history).frame)
        if len(k) == 0:
            continue
        first, last = int(k.open_time_ms[0]), int(k.open_time_ms[-1])
        anchor = start_ms if start_ms is not None else first + warmup_ms
        end = anchor + minutes * MINUTE_MS if minutes else last + 1
        k = _window(k, anchor - warmup_ms if start_ms is not None else first, end)
        if len(k):
            bars[symbol] = k
    if wanted:
        missing = sorted(set(wanted) - set(bars))
        if missing:
            raise HistoryDataError(f"{source}: no 1m bars for {', '.join(missing)} in the chosen window; it "
                                   f"holds {all_held([Path(source)] if isinstance(source, Path) else given)}")
    return VenueData(bars)
