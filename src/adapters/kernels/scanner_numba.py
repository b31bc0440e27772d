"""The scanner's per-frame update compiled with numba: one call for state, history, alerts and cooldown.

It follows `MultiPairScanner`'s numpy reference step for step, in the same floating-point operations
in the same order (no fastmath: no reassociation, no fused multiply-add), so both give the same bits;
tests/unit/adapters/test_scanner_kernel.py holds them equal on recorded data. One loop over the frame's
tickers replaces ~40 numpy calls, each of which costs microseconds when the frame arrives with cold
caches. Compiled on first use and cached on disk (`cache=True`), so later processes start warm.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numba import njit

from domain.scanner_kernel import (
    COOLDOWN_MS,
    DETAIL_COLUMNS,
    FIRED_COLUMNS,
    FLOOR,
    MAX_SPREAD_PCT,
    MIN_VOLUME_24H,
    SCORE_OFFSET,
    SCORE_SCALE,
    SIGN,
    IntArray,
    TimeArray,
    kernel_params,
)
from domain.scanner_rows import (
    ASK,
    BID,
    CANDLE_CLOSE_MS,
    CANDLE_VOLUME,
    CUM_VOLUME,
    LAST_ALERT_MS,
    UPDATED_MS,
    ScannerRows,
)
from domain.scanner_rules import FloatArray, ScannerRules
from domain.time_units import DAY_MS

MINUTES_PER_DAY = 1440.0


def _update(rows: Any, times: Any, values: Any, floats: Any, ints: Any, history: Any, second: int,
            candles_seen: bool, params: Any, fired: Any, details: Any) -> tuple[int, int, int]:
    n = rows.shape[0]
    frame_ms = -1
    for i in range(n):  # the newest event time of the universe's tickers drives the history
        if rows[i] >= 0 and times[i] > frame_ms:
            frame_ms = times[i]
    if frame_ms < 0:
        return 0, 0, second
    slots = history.shape[1]
    now = frame_ms // 1000
    if now > second:  # SecondHistory.advance
        if second >= 0:
            start = second + 1 if now - second < slots else now - slots + 1
            for s in range(start, now + 1):
                col = s % slots
                history[0, col, :] = floats[0, :]
                history[1, col, :] = floats[CUM_VOLUME, :]
        second = now
    col = second % slots
    col_1m = (second - 60) % slots
    col_5m = (second - 300) % slots
    cooldown = np.int64(params[COOLDOWN_MS])
    metric = np.empty(4)
    due = np.zeros(4, dtype=np.bool_)
    updated = 0
    count = 0
    for i in range(n):
        row = rows[i]
        if row < 0:
            continue
        t = times[i]
        last = ints[UPDATED_MS, row]
        if t < last:
            continue  # older than the row's last ticker
        updated += 1
        price, high, quote = values[0, i], values[2, i], values[5, i]
        before = floats[5, row]
        elapsed = min(t - last, DAY_MS)
        traded = quote - before + before * elapsed / DAY_MS
        if not traded >= 0.0:
            traded = 0.0  # np.fmax(traded, 0): NaN (first ticker) or negative -> 0
        cum = floats[CUM_VOLUME, row]
        if not cum >= 0.0:
            cum = 0.0  # np.fmax(cum, 0): NaN (never updated) counts as 0
        cum = cum + traded
        for k in range(6):
            floats[k, row] = values[k, i]
        floats[CUM_VOLUME, row] = cum
        ints[UPDATED_MS, row] = t
        history[0, col, row] = price
        history[1, col, row] = cum
        # alert_metrics
        price_1m, cum_1m, price_5m = history[0, col_1m, row], history[1, col_1m, row], history[0, col_5m, row]
        volume_1m = cum - cum_1m
        if candles_seen and ints[CANDLE_CLOSE_MS, row] >= t - 60_000:
            volume_1m = floats[CANDLE_VOLUME, row]
        metric[0] = volume_1m / quote * MINUTES_PER_DAY if quote > 0 else 0.0
        if not metric[0] >= 0.0:
            metric[0] = 0.0
        metric[1] = (price - price_1m) / price_1m * 100.0 if price_1m > 0 else 0.0
        metric[2] = (high - price) / high * 100.0 if high > 0 else np.nan
        metric[3] = (price - price_5m) / price_5m * 100.0 if price_5m > 0 else 0.0
        # alert_screen: rarely any passes, and the rest is for those only
        screened = False
        for k in range(4):
            due[k] = metric[k] * params[SIGN + k] >= params[FLOOR + k]
            screened = screened or due[k]
        if not screened:
            continue
        due[1] = due[1] and metric[1] > metric[3] / 5 * 1.5
        due[3] = due[3] and metric[1] > 0 and metric[0] > 1
        bid, ask = floats[BID, row], floats[ASK, row]
        spread = (ask - bid) / bid * 100.0 if bid > 0 and ask > 0 else np.nan
        if not (price > 0 and quote >= params[MIN_VOLUME_24H] and not spread > params[MAX_SPREAD_PCT]):
            continue
        for k in range(4):
            if not due[k] or t - ints[LAST_ALERT_MS + k, row] < cooldown or count >= fired.shape[0]:
                continue
            raw = metric[k] * params[SCORE_SCALE + k] + params[SCORE_OFFSET + k]
            ints[LAST_ALERT_MS + k, row] = t
            fired[count, 0], fired[count, 1], fired[count, 2] = row, k, t
            details[count, 0] = min(max(raw, 0.5), 1.0)
            for m in range(4):
                details[count, 1 + m] = metric[m]
            details[count, 5] = volume_1m
            count += 1
    return updated, count, second


_compiled: Callable[..., tuple[int, int, int]] = njit(cache=True, nogil=True)(_update)


class NumbaTickerKernel:
    """`TickerKernel` compiled by numba. Made ready (compiled, or loaded from the disk cache) when
    built, for the argument types a live frame brings, so the first frame does not wait for it."""

    def __init__(self) -> None:
        rows, fired = np.zeros(1, dtype=np.intp), np.zeros((4, FIRED_COLUMNS), dtype=np.int64)
        times, values = np.zeros(1, dtype=np.int64), np.ones((6, 1))
        times.flags.writeable = values.flags.writeable = False  # as a TickerTable's columns
        state = ScannerRows(1)
        self.update(rows, times, values, state.floats, state.ints, np.zeros((2, 302, 1)), -1, False,
                    kernel_params(ScannerRules()), fired, np.zeros((4, DETAIL_COLUMNS)))

    def update(self, rows: IntArray, times: TimeArray, values: FloatArray, floats: FloatArray,
               ints: TimeArray, history: FloatArray, second: int, candles_seen: bool, params: FloatArray,
               fired: TimeArray, details: FloatArray) -> tuple[int, int, int]:
        return _compiled(rows, times, values, floats, ints, history, second, candles_seen, params, fired,
                         details)
