"""The market regimes of ../shared/data as walk-forward periods, read into 1m klines per symbol.

A period is one or more 1m kline files that cover the same stretch of time. Where two files of a period
hold the same (symbol, minute), the first file listed wins (the full-column Binance archive is listed
before the OHLCV-only freqtrade file). Periods are listed oldest first; the edge report tests on every
period after the first, training only on the ones before it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from adapters.history.schema import HistoryDataError
from adapters.research.lab_data import COLUMNS, load_lab_data
from domain.features import KlineArrays
from domain.time_units import DAY_MS

FREQTRADE = "freqtrade_userdata"
VISION = "binancedatagetter_vision"


@dataclass(frozen=True)
class EdgePeriod:
    name: str
    files: tuple[str, ...]  # relative to the data root
    description: str = ""


DEFAULT_PERIODS: tuple[EdgePeriod, ...] = (
    EdgePeriod("2020-05", (f"{FREQTRADE}/binance_spot_1m_2020-05-21_2020-06-20_18pairs.csv.xz",),
               "2020-05-21..06-20, 18 pairs, OHLCV only"),
    EdgePeriod("2021-04", (f"{FREQTRADE}/binance_spot_1m_2021-04-02_2021-05-31_96pairs.csv.xz",),
               "2021-04-02..05-31, 96 pairs, OHLCV only (bull top, 19 May crash)"),
    EdgePeriod("2023-01", (f"{VISION}/binance_spot_1m_2023-01-01_2023-09-30_BTC_ETH_SOL_ARB.csv.xz",
                           f"{FREQTRADE}/binance_spot_1m_2023-03-16_2023-05-01_13pairs.csv.xz"),
               "2023-01-01..09-30, BTC ETH SOL ARB (full columns) + 13 pairs 2023-03-16..05-01"),
    EdgePeriod("2023-10", (f"{VISION}/binance_spot_1m_2023-10-01_2024-04-30_BTC_ETH_SOL_ARB.csv.xz",),
               "2023-10-01..2024-04-30, BTC ETH SOL ARB, full columns"),
    EdgePeriod("2025-06", (f"{FREQTRADE}/binance_spot_1m_2025-06-01_2025-07-01_BTC_ETH.csv.xz",),
               "2025-06-01..07-01, BTC ETH, OHLCV only"),
    EdgePeriod("2026-03", (f"{FREQTRADE}/binance_spot_1m_2026-03-23_2026-04-22_5pairs.csv.xz",),
               "2026-03-23..04-22, BNB BTC ETH SOL XRP, OHLCV only"),
)

# --quick: two small periods (2 and 5 pairs), a few days each: a CI-sized end-to-end run.
QUICK_PERIODS: tuple[EdgePeriod, ...] = (
    EdgePeriod("2025-06", DEFAULT_PERIODS[4].files, DEFAULT_PERIODS[4].description),
    EdgePeriod("2026-03", DEFAULT_PERIODS[5].files, DEFAULT_PERIODS[5].description),
)


def periods_from_files(paths: Sequence[Path]) -> tuple[EdgePeriod, ...]:
    """One period per file given with --data, ordered by the first open time in its name or content."""
    return tuple(EdgePeriod(path.name.split(".")[0], (str(path),), str(path)) for path in paths)


def load_period(root: Path, period: EdgePeriod, *, symbols: Iterable[str] | None = None,
                max_days: float | None = None) -> dict[str, KlineArrays]:
    """1m klines per symbol of one period (`max_days`: keep only each symbol's first days, quick runs).
    Read as the lab reads data (adapters/research/lab_data: the columnar reader, each symbol's arrays
    made as it is read, a column a file lacks shared): the 96-pair file without pandas' ~1.4 GB peak."""
    paths = []
    for name in period.files:
        path = Path(name) if Path(name).is_absolute() else root / name
        if not path.exists():
            raise HistoryDataError(f"{path}: missing data file of period {period.name}")
        paths.append(path)
    klines = load_lab_data(paths, symbols=symbols).klines
    if max_days is None:
        return klines
    return {s: _first_days(k, max_days) for s, k in klines.items()}


def _first_days(k: KlineArrays, days: float) -> KlineArrays:
    end = int(np.searchsorted(k.open_time_ms, k.open_time_ms[0] + days * DAY_MS))
    return KlineArrays(*(np.array(getattr(k, c)[:end]) for c in COLUMNS))
