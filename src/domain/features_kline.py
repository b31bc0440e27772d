"""Groups A, B, C, E and F of spec 4.3: the features a kline history alone determines.

TA-Lib computes the recursive indicators (RSI, EMA, MACD, ADX, ATR, CMO) and the exact extremum-based
ones (WILLR, AROONOSC, STOCHF's fast %K, ROC, MOM). Their recursions forget their seed geometrically; after
WARMUP_BARS rows the seed's trace is below one ulp and a trailing window reproduces the batch bit for bit.
Rolling means and deviations use the exact kernels of features_window (see there why not TA-Lib's).
Percent features are in percent (0.2 means 0.2 %); ratios are plain.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import talib

from domain.features_window import (
    Floats,
    consecutive_true,
    lagged,
    regression_slope_weights,
    safe_ratio,
    window_mean,
    window_stats,
    window_weighted_sum,
)

MOMENTUM_NAMES = ("rsi_14", "rsi_7", "stoch_k", "stoch_d", "willr_14", "roc_5", "roc_10", "mom_5_atr",
                  "cci_20", "cmo_14")
TREND_NAMES = ("ema_5_ratio", "ema_10_ratio", "ema_20_ratio", "macd_pct", "macd_signal_pct",
               "macd_hist_pct", "adx_14", "aroonosc_14")
VOLATILITY_NAMES = ("bb_width_20", "bb_position_20", "atr_14", "atr_pct_14", "return_std_20",
                    "hl_range_mean_20")
VOLUME_NAMES = ("volume_rel_20", "obv_slope_10", "volume_delta", "vwap_dist_20", "ad_flow_20")
PRICE_ACTION_NAMES = ("return_1", "return_5", "return_15", "green_streak", "body_rel_20")

STOCH_K, STOCH_SMOOTH = 14, 3
WINDOW = 20  # Bollinger, CCI, return std, mean range, relative volume, VWAP, A/D flow, relative body
OBV_SLOPE_BARS = 10
GREEN_STREAK_CAP = 30
# Rows before a row that its finite-window features read (the 20 returns need 21 closes; the streak 30).
LOOKBACK = max(WINDOW + 1, GREEN_STREAK_CAP)


@dataclass(frozen=True, slots=True)
class Ohlcv:
    open: Floats
    high: Floats
    low: Floats
    close: Floats
    volume: Floats
    taker_buy: Floats


def _raw(fn: Callable[..., Any]) -> Callable[..., Any]:
    """TA-Lib's C function without its pandas/polars wrapper (about 6 us a call on the live path)."""
    return cast(Callable[..., Any], getattr(fn, "__wrapped__", fn))


_ADX, _AROONOSC, _ATR, _CMO, _EMA = (_raw(f) for f in (talib.ADX, talib.AROONOSC, talib.ATR, talib.CMO,
                                                        talib.EMA))
_MACD, _MOM, _ROC, _RSI, _STOCHF, _WILLR = (_raw(f) for f in (talib.MACD, talib.MOM, talib.ROC, talib.RSI,
                                                               talib.STOCHF, talib.WILLR))


def _log_return(c: Floats, lag: int, start: int) -> Floats:
    out: Floats = np.log(lagged(c, 0, start) / lagged(c, lag, start)) * 100.0
    return out


def _windowed(k: Ohlcv, start: int) -> dict[str, Floats]:
    """Finite-window features. They only need their own rows, so they work on the tail of the history
    (s is `start` in tail coordinates): the same operations on the same values in batch and live."""
    base = start - LOOKBACK
    s = start - base
    o, h, lo, c, v = (x[base:] for x in (k.open, k.high, k.low, k.close, k.volume))
    last, last_v = c[s:], v[s:]
    tp = (h + lo + c) / 3.0
    returns = np.full_like(c, np.nan)
    returns[1:] = (c[1:] / c[:-1] - 1.0) * 100.0
    span = h - lo
    flow_mult = safe_ratio((c - lo) - (h - c), span)
    flow_mult[span == 0] = 0.0  # TA-Lib's AD convention for a flat bar
    body = np.abs(c - o)
    # One gather for every 20-row statistic (few numpy calls on the live path).
    stacked = np.vstack([c, returns, tp, v, tp * v, flow_mult * v, span / c * 100.0, body])
    means, (std_c, std_r), (dev,) = window_stats(stacked, WINDOW, s, std_rows=(0, 1), mad_rows=(2,))
    mean_c, _, mean_tp, mean_v, mean_tpv, mean_flow, mean_range, mean_body = means
    lower = mean_c - 2.0 * std_c
    cci = np.where(dev == 0, 0.0, safe_ratio(tp[s:] - mean_tp, 0.015 * dev))  # TA-Lib: 0 when flat
    fast_k = _STOCHF(k.high[base - STOCH_K:], k.low[base - STOCH_K:], k.close[base - STOCH_K:],
                     fastk_period=STOCH_K, fastd_period=1)[0][STOCH_K:]
    slow_k = np.full_like(c, np.nan)  # exact 3-row means of fast %K, then of slow %K
    slow_k[s - STOCH_SMOOTH + 1:] = window_mean(fast_k, STOCH_SMOOTH, s - STOCH_SMOOTH + 1)
    direction = np.zeros_like(c)
    direction[1:] = np.sign(c[1:] - c[:-1])
    obv_slope = window_weighted_sum(direction * v, regression_slope_weights(OBV_SLOPE_BARS), s)
    return {
        "stoch_k": slow_k[s:],
        "stoch_d": window_mean(slow_k, STOCH_SMOOTH, s),
        "cci_20": cci,
        "bb_width_20": safe_ratio(4.0 * std_c, mean_c),
        "bb_position_20": safe_ratio(last - lower, 4.0 * std_c),
        "return_std_20": std_r,
        "hl_range_mean_20": mean_range,
        "volume_rel_20": safe_ratio(last_v, mean_v),
        "obv_slope_10": safe_ratio(obv_slope, window_mean(v, OBV_SLOPE_BARS, s)),
        "volume_delta": safe_ratio(2.0 * k.taker_buy[start:] - last_v, last_v),
        "vwap_dist_20": (last / safe_ratio(mean_tpv, mean_v) - 1.0) * 100.0,
        "ad_flow_20": safe_ratio(mean_flow, mean_v),
        "return_1": _log_return(c, 1, s),
        "return_5": _log_return(c, 5, s),
        "return_15": _log_return(c, 15, s),
        "green_streak": consecutive_true(c > o, GREEN_STREAK_CAP)[s:],
        "body_rel_20": safe_ratio(body[s:], mean_body),
    }


def _recursive(k: Ohlcv, start: int) -> dict[str, Floats]:
    """TA-Lib indicators, run over the whole history given (their recursions need it)."""
    h, lo, c = k.high, k.low, k.close
    last = c[start:]
    atr = _ATR(h, lo, c, 14)[start:]
    macd, signal, hist = _MACD(c, 12, 26, 9)
    return {
        "rsi_14": _RSI(c, 14)[start:],
        "rsi_7": _RSI(c, 7)[start:],
        "willr_14": _WILLR(h, lo, c, 14)[start:],
        "roc_5": _ROC(c, 5)[start:],
        "roc_10": _ROC(c, 10)[start:],
        "mom_5_atr": safe_ratio(_MOM(c, 5)[start:], atr),
        "cmo_14": _CMO(c, 14)[start:],
        "ema_5_ratio": _EMA(c, 5)[start:] / last,
        "ema_10_ratio": _EMA(c, 10)[start:] / last,
        "ema_20_ratio": _EMA(c, 20)[start:] / last,
        "macd_pct": macd[start:] / last * 100.0,
        "macd_signal_pct": signal[start:] / last * 100.0,
        "macd_hist_pct": hist[start:] / last * 100.0,
        "adx_14": _ADX(h, lo, c, 14)[start:],
        "aroonosc_14": _AROONOSC(h, lo, 14)[start:],
        "atr_14": atr,
        "atr_pct_14": atr / last * 100.0,
    }


def kline_features(k: Ohlcv, start: int) -> dict[str, Floats]:
    """Every kline feature for rows start..n-1 (start >= LOOKBACK + STOCH_K rows of history)."""
    if start < LOOKBACK + STOCH_K:
        raise ValueError(f"kline features need {LOOKBACK + STOCH_K} rows of history before the first row")
    return _recursive(k, start) | _windowed(k, start)


def kline_feature_groups(k: Ohlcv, start: int) -> Iterator[dict[str, Floats]]:
    """kline_features' columns in two groups, each computed when the previous one is consumed: a caller
    writing them out holds one group's float64 columns at a time (half of ~130 MB on a 400k-bar history)."""
    if start < LOOKBACK + STOCH_K:
        raise ValueError(f"kline features need {LOOKBACK + STOCH_K} rows of history before the first row")
    yield _recursive(k, start)
    yield _windowed(k, start)
