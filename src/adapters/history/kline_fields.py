"""The names, units and errors of kline data, without pandas (the columnar reader's imports stay lean).
schema.py re-exports them."""

from __future__ import annotations

import numpy as np

PRICE_COLUMNS = ("open", "high", "low", "close")
REQUIRED_FLOATS = (*PRICE_COLUMNS, "volume")
OPTIONAL_FLOATS = ("quote_volume", "trades", "taker_buy_base_volume", "taker_buy_quote_volume")
KLINE_COLUMNS = ("open_time_ms", *REQUIRED_FLOATS, *OPTIONAL_FLOATS)
# Binance's kline row (archive CSV and REST /api/v3/klines), 12 fields.
ARCHIVE_COLUMNS = ("open_time", "open", "high", "low", "close", "volume", "close_time", "quote_volume",
                   "trades", "taker_buy_base_volume", "taker_buy_quote_volume", "ignore")
# Open times above this are microseconds (spot archives since 2025-01-01): 1e14 ms is year 5138.
MICROSECONDS_ABOVE = 10**14
# 17 digits or more is neither ms nor us (nanoseconds, or a unit mix-up): refused, never guessed.
TOO_MANY_DIGITS = 10**16
# After conversion to ms, an open time past 2100-01-01 is not a real kline.
LATEST_PLAUSIBLE_MS = 4_102_444_800_000

INTERVAL_MS = {
    "1s": 1_000, "1m": 60_000, "3m": 180_000, "5m": 300_000, "15m": 900_000, "30m": 1_800_000,
    "1h": 3_600_000, "2h": 7_200_000, "4h": 14_400_000, "6h": 21_600_000, "8h": 28_800_000,
    "12h": 43_200_000, "1d": 86_400_000,
}


class HistoryDataError(ValueError):
    """Kline data that cannot be used as is; the message names the source, the row and the field."""


class KlineRequestError(HistoryDataError):
    """The data was read, but it does not hold what was asked; the message says what it holds."""


def interval_ms(interval: str) -> int:
    try:
        return INTERVAL_MS[interval]
    except KeyError:
        raise HistoryDataError(
            f"unknown kline interval {interval!r}; expected one of {', '.join(INTERVAL_MS)}") from None


def to_milliseconds(times: np.ndarray) -> np.ndarray:
    """Open times in ms whatever the source unit (ms, or us for spot archives from 2025)."""
    as_int = np.asarray(times, dtype=np.int64)
    return np.where(as_int >= MICROSECONDS_ABOVE, as_int // 1000, as_int)
