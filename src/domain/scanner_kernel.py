"""The scanner's per-frame update in one call: the port a compiled kernel implements.

A ticker frame reaches the scanner with cold caches (the bot idles between frames), where each numpy
call costs several microseconds whatever its size: the reference path (`MultiPairScanner` with no
kernel) makes ~40 of them a frame. A `TickerKernel` does the same work (fresh-row filter, history
advance, volume estimate, metrics, thresholds, eligibility, cooldown) in one compiled call over the
scanner's two state blocks (`ScannerRows.floats`/`ints`) and its history block, and writes the alerts
that fired into two buffers; the scanner turns those into `ScannerAlert`s. The implementation lives in
adapters (`adapters.kernels.scanner_numba`); tests hold it equal to the reference on recorded data.
"""

from __future__ import annotations

import math
from itertools import repeat
from typing import Protocol

import numpy as np
import numpy.typing as npt

from domain.scanner_history import SecondHistory
from domain.scanner_rows import ScannerRows
from domain.scanner_rules import ALERT_TYPES, FloatArray, ScannerAlert, ScannerRules
from domain.ticker_table import TickerTable

IntArray = npt.NDArray[np.intp]
TimeArray = npt.NDArray[np.int64]

# `params`: the rules as numbers, by these offsets (four per alert type where the offset says so)
SIGN, FLOOR, SCORE_SCALE, SCORE_OFFSET = 0, 4, 8, 12  # one per alert type, in ALERT_TYPES order
MIN_VOLUME_24H, MAX_SPREAD_PCT, COOLDOWN_MS = 16, 17, 18
PARAMS = 19
# a fired alert: `fired` row (scanner row, alert type index, event time ms), `details` row (score, the
# four metrics in METRIC_NAMES order, the last minute's volume)
FIRED_COLUMNS, DETAIL_COLUMNS = 3, 6


def kernel_params(rules: ScannerRules) -> FloatArray:
    """The rules as `alert_screen`/`alert_scores` apply them (the same strict-threshold trick: x > t is
    x >= nextafter(t, inf)), as one float array."""
    up = math.inf
    bd = rules.breakout_distance_pct
    params = np.zeros(PARAMS)
    params[SIGN:SIGN + 4] = (1.0, 1.0, -1.0, -1.0)
    params[FLOOR:FLOOR + 4] = (math.nextafter(rules.volume_spike_ratio, up),
                               math.nextafter(rules.momentum_threshold_pct, up), math.nextafter(-bd, up),
                               rules.reversal_drop_pct)
    params[SCORE_SCALE:SCORE_SCALE + 4] = (0.5 / rules.volume_spike_ratio, 0.5 / rules.momentum_threshold_pct,
                                           -0.5 / bd if bd else 0.0, -0.5 / rules.reversal_drop_pct)
    params[SCORE_OFFSET:SCORE_OFFSET + 4] = (0.0, 0.0, 1.0, 0.0)
    params[MIN_VOLUME_24H] = rules.min_volume_24h
    params[MAX_SPREAD_PCT] = rules.max_spread_pct
    params[COOLDOWN_MS] = rules.alert_cooldown_ms
    assert len(ALERT_TYPES) == 4
    return params


class TickerKernel(Protocol):
    def update(self, rows: IntArray, times: TimeArray, values: FloatArray, floats: FloatArray,
               ints: TimeArray, history: FloatArray, second: int, candles_seen: bool, params: FloatArray,
               fired: TimeArray, details: FloatArray) -> tuple[int, int, int]:
        """Apply one frame. `rows[i]`: the scanner row of ticker i, -1 when outside the universe;
        `times`/`values`: the frame's event times and (6, n) TickerTable values; `floats`/`ints`: the
        scanner's state blocks; `history`: SecondHistory.block whose newest second is `second`.
        Returns (rows updated, alerts written to `fired`/`details`, the history's new newest second)."""
        ...


class FusedFrames:
    """A scanner's frames through a `TickerKernel`: the rules as params (remade when the rules object
    changes), the alert buffers (four alerts a row at most), and the alerts out as `ScannerAlert`s."""

    def __init__(self, kernel: TickerKernel, capacity: int) -> None:
        self.kernel = kernel
        self._rules: ScannerRules | None = None
        self._params = np.zeros(PARAMS)
        self._fired = np.zeros((len(ALERT_TYPES) * capacity, FIRED_COLUMNS), dtype=np.int64)
        self._details = np.zeros((len(ALERT_TYPES) * capacity, DETAIL_COLUMNS))

    def apply(self, table: TickerTable, state: ScannerRows, history: SecondHistory, candles_seen: bool,
              rules: ScannerRules) -> tuple[int, list[ScannerAlert]]:
        """(rows updated, the alerts that fired, in the reference's order: by ticker, then type)."""
        if rules is not self._rules:
            self._params, self._rules = kernel_params(rules), rules
        rows = np.fromiter(map(state.index.get, table.symbols, repeat(-1)), dtype=np.intp, count=len(table))
        updated, count, history.second = self.kernel.update(
            rows, table.event_time_ms, table.values, state.floats, state.ints, history.block, history.second,
            candles_seen, self._params, self._fired, self._details)
        if not count:
            return updated, []
        symbol_of = state.symbol_of
        return updated, [
            ScannerAlert(symbol_of[row] or "", ALERT_TYPES[k], score,
                         {"change_1m_pct": c1, "change_5m_pct": c5, "distance_from_high_pct": distance,
                          "volume_ratio": ratio, "volume_1m": volume_1m}, time_ms)
            for (row, k, time_ms), (score, ratio, c1, distance, c5, volume_1m)
            in zip(self._fired[:count].tolist(), self._details[:count].tolist(), strict=True)]
