from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from domain.rolling_ticker import RollingTicker, RollingTickers, quote_volume_of, rolling_tickers
from domain.values import Candle

VISION_1M = "binancedatagetter_vision/binance_spot_1m_2023-10-01_2024-04-30_BTC_ETH_SOL_ARB.csv.xz"


def candles_of(frame: pd.DataFrame) -> list[Candle]:
    has_quote = "quote_volume" in frame.columns
    return [Candle(str(r["symbol"]), int(r["open_time"]), float(r["open"]), float(r["high"]), float(r["low"]),
                   float(r["close"]), float(r["volume"]), float(r["quote_volume"]) if has_quote else math.nan)
            for r in frame.to_dict("records")]


def expected_tickers(frame: pd.DataFrame, quote: pd.Series, window: int) -> pd.DataFrame:
    """What Binance's 24 h ticker holds after each bar, computed independently with pandas rolling."""
    return pd.DataFrame({
        "open": frame["open"].shift(window - 1).fillna(frame["open"].iloc[0]),
        "high": frame["high"].rolling(window, min_periods=1).max(),
        "low": frame["low"].rolling(window, min_periods=1).min(),
        "volume": frame["volume"].rolling(window, min_periods=1).sum(),
        "quote_volume": quote.rolling(window, min_periods=1).sum(),
    })


def check_against_pandas(frame: pd.DataFrame, quote: pd.Series) -> None:
    frame = frame.reset_index(drop=True)
    assert (frame["open_time"].diff().dropna() == 60_000).all(), "slice must have no missing minute"
    tickers = list(rolling_tickers(candles_of(frame)))
    got = pd.DataFrame({name: [getattr(t, name) for t in tickers]
                        for name in ("open", "high", "low", "volume", "quote_volume")})
    want = expected_tickers(frame, quote.reset_index(drop=True), 1440)
    for name in want.columns:
        np.testing.assert_allclose(got[name], want[name], rtol=1e-9, err_msg=name)
    assert [t.event_time_ms for t in tickers] == list(frame["open_time"] + 59_999)
    assert [t.close for t in tickers] == list(frame["close"])


def test_matches_a_pandas_rolling_day_on_real_klines_with_quote_volume(shared_data: Path) -> None:
    frame = pd.read_csv(shared_data / VISION_1M, nrows=3200)  # ARBUSDT, > 2 days, real quote volume
    check_against_pandas(frame, frame["quote_volume"])


def test_without_quote_volume_uses_volume_times_close(sample_klines: Path) -> None:
    frame = pd.read_csv(sample_klines, nrows=3000)  # BNBUSDT (data/sample), OHLCV only
    check_against_pandas(frame, frame["volume"] * frame["close"])


def bar(minute: int, high: float = 101.0, low: float = 99.0, volume: float = 1.0) -> Candle:
    return Candle("XUSDT", minute * 60_000, 100.0, high, low, 100.0, volume, volume * 100.0)


def test_window_is_time_based_across_missing_minutes() -> None:
    rolling = RollingTicker("XUSDT")
    rolling.push(bar(0, high=150.0, volume=5.0))
    rolling.push(bar(10))
    assert rolling.push(bar(1439)).high == 150.0  # minute 0 is still inside the last 24 h
    after = rolling.push(bar(1440 + 5))  # 6 minutes missing: minute 0 (and only it) has left
    assert after.high == 101.0
    assert after.volume == pytest.approx(3.0)


def test_quote_volume_of_prefers_the_real_column() -> None:
    assert quote_volume_of(Candle("XUSDT", 0, 1.0, 2.0, 1.0, 2.0, 10.0, 15.0)) == 15.0
    assert quote_volume_of(Candle("XUSDT", 0, 1.0, 2.0, 1.0, 2.0, 10.0)) == 20.0


def test_refuses_out_of_order_open_or_foreign_candles() -> None:
    rolling = RollingTicker("XUSDT")
    rolling.push(bar(5))
    with pytest.raises(ValueError, match="not after"):
        rolling.push(bar(5))
    with pytest.raises(ValueError, match="closed"):
        rolling.push(Candle("XUSDT", 10 * 60_000, 1.0, 1.0, 1.0, 1.0, 1.0, closed=False))
    with pytest.raises(ValueError, match="YUSDT"):
        rolling.push(Candle("YUSDT", 10 * 60_000, 1.0, 1.0, 1.0, 1.0, 1.0))


def test_many_symbols_roll_independently() -> None:
    book = RollingTickers()
    book.push(Candle("AUSDT", 0, 1.0, 9.0, 1.0, 1.0, 1.0))
    b = book.push(Candle("BUSDT", 0, 2.0, 2.0, 2.0, 2.0, 1.0))
    a = book.push(Candle("AUSDT", 60_000, 1.0, 1.0, 1.0, 1.0, 1.0))
    assert (a.symbol, a.high, b.symbol, b.high) == ("AUSDT", 9.0, "BUSDT", 2.0)
