"""The one typed kline frame every history reader returns, and its checks at the border.

Columns, in order: open_time_ms (int64, UTC milliseconds) then float64 open, high, low, close, volume,
quote_volume, trades, taker_buy_base_volume, taker_buy_quote_volume. The last four are NaN when the source
lacks them (freqtrade's OHLCV files); they are never invented.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from adapters.history.kline_fields import (  # re-exported: the names every reader uses
    ARCHIVE_COLUMNS,
    INTERVAL_MS,
    KLINE_COLUMNS,
    LATEST_PLAUSIBLE_MS,
    MICROSECONDS_ABOVE,
    OPTIONAL_FLOATS,
    PRICE_COLUMNS,
    REQUIRED_FLOATS,
    TOO_MANY_DIGITS,
    HistoryDataError,
    interval_ms,
    to_milliseconds,
)
from domain.features import KlineArrays


def checked_milliseconds(times: np.ndarray, source: str, field: str = "open_time") -> np.ndarray:
    """`to_milliseconds`, refusing a time that no unit makes plausible (negative, 17+ digits, past 2100)
    with the first bad row named."""
    as_int = np.asarray(times, dtype=np.int64)
    too_long = as_int >= TOO_MANY_DIGITS
    if too_long.any():
        row = int(np.flatnonzero(too_long)[0])
        raise HistoryDataError(f"{source}: row {row} has {field}={int(as_int[row])}: {len(str(as_int[row]))} "
                               "digits is neither milliseconds (13) nor microseconds (16)")
    ms = to_milliseconds(as_int)
    implausible = (ms < 0) | (ms > LATEST_PLAUSIBLE_MS)
    if implausible.any():
        row = int(np.flatnonzero(implausible)[0])
        raise HistoryDataError(f"{source}: row {row} has {field}={int(as_int[row])}: not a time in ms or us "
                               "between 1970 and 2100")
    return ms


def empty_frame() -> pd.DataFrame:
    frame = pd.DataFrame({name: pd.Series(dtype=np.float64) for name in KLINE_COLUMNS})
    return frame.astype({"open_time_ms": np.int64})


def standardise(raw: pd.DataFrame, source: str, time_column: str = "open_time") -> pd.DataFrame:
    """Typed kline frame from a raw one (any extra column dropped, missing optional ones NaN), checked."""
    missing = [c for c in (time_column, *REQUIRED_FLOATS) if c not in raw.columns]
    if missing:
        raise HistoryDataError(f"{source}: missing column(s) {', '.join(missing)}")
    out = pd.DataFrame(index=pd.RangeIndex(len(raw)))
    times = pd.to_numeric(raw[time_column], errors="coerce")
    _no_missing(times, source, time_column, raw)
    out["open_time_ms"] = checked_milliseconds(times.to_numpy(dtype=np.int64), source, time_column)
    for name in (*REQUIRED_FLOATS, *OPTIONAL_FLOATS):
        if name in raw.columns:
            values = pd.to_numeric(raw[name], errors="coerce")
            if name in REQUIRED_FLOATS:
                _no_missing(values, source, name, raw)
            out[name] = values.to_numpy(dtype=np.float64)
        else:
            out[name] = np.nan
    validate(out, source)
    return out


def _no_missing(values: pd.Series, source: str, field: str, raw: pd.DataFrame) -> None:
    bad = np.flatnonzero(values.isna().to_numpy())
    if len(bad):
        row = int(bad[0])
        raise HistoryDataError(
            f"{source}: row {row} has {field}={str(raw[field].iloc[row])!r}: missing or not a number")


def validate(frame: pd.DataFrame, source: str) -> None:
    """Fail fast on values that cannot be real: non-finite or non-positive prices, negative volume,
    a high/low that does not contain open and close."""
    checks: list[tuple[tuple[str, str], np.ndarray]] = []
    for name in PRICE_COLUMNS:
        v = frame[name].to_numpy()
        checks.append(((name, f"{name} must be a finite positive price"), ~(np.isfinite(v) & (v > 0))))
    vol = frame["volume"].to_numpy()
    checks.append((("volume", "volume must be finite and >= 0"), ~(np.isfinite(vol) & (vol >= 0))))
    o, h, lo, c = (frame[name].to_numpy() for name in PRICE_COLUMNS)
    checks.append((("high", "high must be >= open, close and low"), h < np.maximum(np.maximum(o, c), lo)))
    checks.append((("low", "low must be <= open and close"), lo > np.minimum(o, c)))
    for (field, message), bad in checks:
        rows = np.flatnonzero(bad)
        if len(rows):
            row = int(rows[0])
            values = ", ".join(f"{n}={float(frame[n].iloc[row]):g}" for n in REQUIRED_FLOATS)
            raise HistoryDataError(f"{source}: row {row} has {field}={float(frame[field].iloc[row]):g}: "
                                   f"{message} ({len(rows)} bad row(s); {values})")


def validate_typed(frame: pd.DataFrame, source: str) -> pd.DataFrame:
    """A frame already in KLINE_COLUMNS (the Parquet cache): the same checks as `standardise`."""
    times = frame["open_time_ms"].to_numpy()
    ms = checked_milliseconds(times, source, "open_time_ms")
    if not np.array_equal(ms, times):  # microseconds in the cache: converted, the frame copied only then
        frame = frame.assign(open_time_ms=ms)
    validate(frame, source)
    return frame


def to_kline_arrays(frame: pd.DataFrame) -> KlineArrays:
    return KlineArrays(
        open_time_ms=frame["open_time_ms"].to_numpy(dtype=np.int64),
        open=frame["open"].to_numpy(dtype=np.float64),
        high=frame["high"].to_numpy(dtype=np.float64),
        low=frame["low"].to_numpy(dtype=np.float64),
        close=frame["close"].to_numpy(dtype=np.float64),
        volume=frame["volume"].to_numpy(dtype=np.float64),
        taker_buy_base_volume=frame["taker_buy_base_volume"].to_numpy(dtype=np.float64),
        quote_volume=frame["quote_volume"].to_numpy(dtype=np.float64),
        trades=frame["trades"].to_numpy(dtype=np.float64),
    )

__all__ = [
    "ARCHIVE_COLUMNS",
    "INTERVAL_MS",
    "KLINE_COLUMNS",
    "LATEST_PLAUSIBLE_MS",
    "MICROSECONDS_ABOVE",
    "OPTIONAL_FLOATS",
    "PRICE_COLUMNS",
    "REQUIRED_FLOATS",
    "TOO_MANY_DIGITS",
    "HistoryDataError",
    "checked_milliseconds",
    "empty_frame",
    "interval_ms",
    "standardise",
    "to_kline_arrays",
    "to_milliseconds",
    "validate",
    "validate_typed",
]
