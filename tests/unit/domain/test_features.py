"""Each feature against an independent computation (pandas/numpy/hand) on real Binance klines."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from domain.features import FEATURE_NAMES, FEATURE_VERSION, WARMUP_BARS, KlineArrays, compute_features

FULL = "binancedatagetter_vision/binance_spot_1m_2023-10-01_2024-04-30_BTC_ETH_SOL_ARB.csv.xz"
ROWS = 4000
RTOL = 1e-9


def klines_of(frame: pd.DataFrame) -> KlineArrays:
    optional = {c: frame[c].to_numpy(float) for c in ("taker_buy_base_volume", "quote_volume", "trades")
                if c in frame}
    return KlineArrays(frame["open_time"].to_numpy(np.int64), frame["open"].to_numpy(float),
                       frame["high"].to_numpy(float), frame["low"].to_numpy(float),
                       frame["close"].to_numpy(float), frame["volume"].to_numpy(float), **optional)


@pytest.fixture(scope="module")
def real(shared_data: Path) -> pd.DataFrame:
    return pd.read_csv(shared_data / FULL, nrows=ROWS)  # ARBUSDT, 2023-10-01 from 00:00, all columns


@pytest.fixture(scope="module")
def features(real: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(compute_features(klines_of(real)), columns=list(FEATURE_NAMES))


def converged(values: pd.Series | np.ndarray) -> np.ndarray:
    return np.asarray(values, dtype=float)[WARMUP_BARS - 1:]


def check(features: pd.DataFrame, name: str, expected: pd.Series | np.ndarray, rtol: float = RTOL,
          atol: float = 0.0) -> None:
    np.testing.assert_allclose(converged(features[name]), converged(expected), rtol=rtol, atol=atol,
                               err_msg=name)


def wilder(values: np.ndarray, period: int) -> np.ndarray:
    """Wilder's smoothing seeded with the mean of the first `period` values (plain Python loop)."""
    out = np.full(len(values), np.nan)
    out[period - 1] = values[:period].mean()
    for i in range(period, len(values)):
        out[i] = (out[i - 1] * (period - 1) + values[i]) / period
    return out


def test_names_and_shape(features: pd.DataFrame) -> None:
    assert FEATURE_VERSION == "v1"
    assert len(FEATURE_NAMES) == 42 and len(set(FEATURE_NAMES)) == 42
    assert features.shape == (ROWS, 42)
    assert features.iloc[:WARMUP_BARS - 1].isna().all().all()
    kline_names = [n for n in FEATURE_NAMES if not n.startswith("book_")]
    assert features[kline_names].iloc[WARMUP_BARS - 1:].notna().mean().min() > 0.98
    assert features.filter(like="book_").isna().all().all()  # no order book given


def test_momentum(real: pd.DataFrame, features: pd.DataFrame) -> None:
    c, h, lo = real["close"], real["high"], real["low"]
    change = c.diff().to_numpy()[1:]
    for period in (14, 7):
        gain = wilder(np.clip(change, 0, None), period)
        loss = wilder(np.clip(-change, 0, None), period)
        rsi = np.concatenate([[np.nan], 100 * gain / (gain + loss)])
        check(features, f"rsi_{period}", rsi)
    check(features, "cmo_14", 2 * features["rsi_14"] - 100, rtol=1e-9, atol=1e-9)  # Wilder CMO
    fast_k = 100 * (c - lo.rolling(14).min()) / (h.rolling(14).max() - lo.rolling(14).min())
    slow_k = fast_k.rolling(3).mean()
    check(features, "stoch_k", slow_k, atol=1e-9)
    check(features, "stoch_d", slow_k.rolling(3).mean(), atol=1e-9)
    hh, ll = h.rolling(14).max(), lo.rolling(14).min()
    check(features, "willr_14", -100 * (hh - c) / (hh - ll), atol=1e-12)
    check(features, "roc_5", (c / c.shift(5) - 1) * 100, atol=1e-12)
    check(features, "roc_10", (c / c.shift(10) - 1) * 100, atol=1e-12)
    tr = np.maximum(h - lo, np.maximum((h - c.shift()).abs(), (lo - c.shift()).abs())).to_numpy()
    atr = np.concatenate([[np.nan], wilder(tr[1:], 14)])
    check(features, "mom_5_atr", (c - c.shift(5)) / atr, atol=1e-9)
    tp = (h + lo + c) / 3
    mean_dev = tp.rolling(20).apply(lambda w: np.abs(w - w.mean()).mean(), raw=True)
    check(features, "cci_20", (tp - tp.rolling(20).mean()) / (0.015 * mean_dev), rtol=1e-6, atol=1e-6)


def test_trend(real: pd.DataFrame, features: pd.DataFrame) -> None:
    c, h, lo = real["close"], real["high"], real["low"]
    for span in (5, 10, 20):  # converged EMA: the seed no longer matters
        check(features, f"ema_{span}_ratio", c.ewm(span=span, adjust=False).mean() / c)
    macd = c.ewm(span=12, adjust=False).mean() - c.ewm(span=26, adjust=False).mean()
    signal = macd.ewm(span=9, adjust=False).mean()
    check(features, "macd_pct", macd / c * 100, rtol=1e-6, atol=1e-10)
    check(features, "macd_signal_pct", signal / c * 100, rtol=1e-6, atol=1e-10)
    check(features, "macd_hist_pct", (macd - signal) / c * 100, rtol=1e-6, atol=1e-10)
    # ADX, Wilder's definition
    up, down = h.diff().to_numpy()[1:], -lo.diff().to_numpy()[1:]
    plus_dm = np.where((up > down) & (up > 0), up, 0.0)
    minus_dm = np.where((down > up) & (down > 0), down, 0.0)
    tr = np.maximum(h - lo, np.maximum((h - c.shift()).abs(), (lo - c.shift()).abs())).to_numpy()[1:]
    sums = [wilder(x, 14) * 14 for x in (plus_dm, minus_dm, tr)]
    di_p, di_m = 100 * sums[0] / sums[2], 100 * sums[1] / sums[2]
    dx = 100 * np.abs(di_p - di_m) / (di_p + di_m)
    adx = np.concatenate([[np.nan] * 14, wilder(dx[13:], 14)])
    check(features, "adx_14", adx, rtol=1e-8)
    # Aroon oscillator over 15 bars; on ties the most recent extreme counts (TA-Lib)
    win_h = np.lib.stride_tricks.sliding_window_view(h.to_numpy(), 15)
    win_l = np.lib.stride_tricks.sliding_window_view(lo.to_numpy(), 15)
    since_high = np.argmax(win_h[:, ::-1], axis=1)
    since_low = np.argmin(win_l[:, ::-1], axis=1)
    osc = np.concatenate([[np.nan] * 14, 100 * (since_low - since_high) / 14])
    check(features, "aroonosc_14", osc, atol=1e-9)


def test_volatility(real: pd.DataFrame, features: pd.DataFrame) -> None:
    c, h, lo = real["close"], real["high"], real["low"]
    mean, std = c.rolling(20).mean(), c.rolling(20).std(ddof=0)
    check(features, "bb_width_20", 4 * std / mean, rtol=1e-6)
    check(features, "bb_position_20", (c - (mean - 2 * std)) / (4 * std), rtol=1e-6, atol=1e-9)
    tr = np.maximum(h - lo, np.maximum((h - c.shift()).abs(), (lo - c.shift()).abs())).to_numpy()
    atr = np.concatenate([[np.nan], wilder(tr[1:], 14)])
    check(features, "atr_14", atr)
    check(features, "atr_pct_14", atr / c * 100)
    check(features, "return_std_20", (c.pct_change() * 100).rolling(20).std(ddof=0), rtol=1e-6)
    check(features, "hl_range_mean_20", ((h - lo) / c * 100).rolling(20).mean(), rtol=1e-9)


def test_volume(real: pd.DataFrame, features: pd.DataFrame) -> None:
    c, h, lo, v = real["close"], real["high"], real["low"], real["volume"]
    check(features, "volume_rel_20", v / v.rolling(20).mean(), rtol=1e-9)
    obv = (np.sign(c.diff()).fillna(0) * v).cumsum().to_numpy()
    x = np.arange(10.0)
    windows = np.lib.stride_tricks.sliding_window_view(obv, 10)
    slope = np.concatenate([[np.nan] * 9, np.polyfit(x, windows.T, 1)[0]])
    check(features, "obv_slope_10", slope / v.rolling(10).mean(), rtol=1e-6, atol=1e-9)
    taker = real["taker_buy_base_volume"]
    check(features, "volume_delta", (taker - (v - taker)) / v.replace(0, np.nan), rtol=1e-12)
    tp = (h + lo + c) / 3
    vwap = (tp * v).rolling(20).sum() / v.rolling(20).sum()
    check(features, "vwap_dist_20", (c / vwap - 1) * 100, rtol=1e-6, atol=1e-10)
    mfm = (((c - lo) - (h - c)) / (h - lo)).where(h > lo, 0.0)
    check(features, "ad_flow_20", (mfm * v).rolling(20).sum() / v.rolling(20).sum(), rtol=1e-6, atol=1e-10)


def test_price_action(real: pd.DataFrame, features: pd.DataFrame) -> None:
    c, o = real["close"].to_numpy(), real["open"].to_numpy()
    for lag in (1, 5, 15):
        expected = np.concatenate([[np.nan] * lag, np.log(c[lag:] / c[:-lag]) * 100])
        check(features, f"return_{lag}", expected, rtol=1e-12)
    streak = np.zeros(len(c))
    for i in range(len(c)):  # the obvious loop
        streak[i] = (streak[i - 1] + 1 if i else 1) if c[i] > o[i] else 0
    check(features, "green_streak", np.minimum(streak, 30))
    body = pd.Series(np.abs(c - o))
    check(features, "body_rel_20", body / body.rolling(20).mean().replace(0, np.nan), rtol=1e-9)


def test_bounded_indicators_in_range(features: pd.DataFrame) -> None:
    ranges = {"rsi_14": (0, 100), "rsi_7": (0, 100), "stoch_k": (0, 100), "stoch_d": (0, 100),
              "willr_14": (-100, 0), "cmo_14": (-100, 100), "adx_14": (0, 100), "aroonosc_14": (-100, 100),
              "volume_delta": (-1, 1), "ad_flow_20": (-1, 1), "green_streak": (0, 30)}
    for name, (low, high) in ranges.items():
        values = features[name].dropna()
        assert len(values) > 2000, name
        assert values.between(low, high).all(), (name, values.min(), values.max())
    assert (features["bb_width_20"].dropna() >= 0).all()
    assert (features["atr_14"].dropna() > 0).all()


def test_ohlcv_only_data_gives_nan_volume_delta(sample_klines: Path) -> None:
    frame = pd.read_csv(sample_klines, nrows=2500)  # data/sample: no taker-buy column
    values = pd.DataFrame(compute_features(klines_of(frame)), columns=list(FEATURE_NAMES))
    tail = values.iloc[WARMUP_BARS - 1:]
    assert tail["volume_delta"].isna().all()
    assert tail["rsi_14"].notna().all() and tail["obv_slope_10"].notna().all()


def test_rejects_ragged_arrays() -> None:
    with pytest.raises(ValueError, match="close has 2 rows"):
        KlineArrays(np.arange(3), np.ones(3), np.ones(3), np.ones(3), np.ones(2), np.ones(3))


def test_rows_are_views_of_the_same_columns_as_a_checked_slice() -> None:
    n = 12
    k = KlineArrays(np.arange(n, dtype=np.int64) * 60_000, np.arange(n) + 1.0, np.arange(n) + 2.0,
                    np.arange(n) + 0.5, np.arange(n) + 1.5, np.ones(n))
    part = k.rows(3, 9)
    assert len(part) == 6 and part.candle("XUSDT", 0).close == k.candle("XUSDT", 3).close
    for name in ("open_time_ms", "open", "high", "low", "close", "volume", "taker_buy_base_volume",
                 "quote_volume", "trades"):
        np.testing.assert_array_equal(getattr(part, name), getattr(k, name)[3:9])
        assert np.shares_memory(getattr(part, name), getattr(k, name))  # no copy
    assert len(k.rows(5, 5)) == 0
