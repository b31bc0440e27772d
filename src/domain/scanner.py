"""The multi-pair scanner (spec 4.2): every pair's state in numpy arrays, one row a pair.

A ticker frame (a columnar `TickerTable`) updates its rows with fancy indexing and checks alerts on
those rows only; scores are computed for all rows at once. Time comes from the data (event times,
integer ms), never from a clock, so live, paper and backtest run the same code.

Volume over the last minute: tickers only carry a rolling 24 h quote volume `q`. Between two tickers
the traded volume is estimated as dq + q * dt / 24 h (the window's growth plus what it is assumed to
have dropped at its average rate), accumulated per row; the last minute is this cumulative minus its
value 60 s ago. A closed 1m candle gives the exact figure, used while it is the latest minute. In a
replay, deliver a minute's closed candles before its tickers (tickers drive the alert checks).

Alerts: at most one per (symbol, type) per `rules.alert_cooldown_ms`, timed by the ticker's event time.

With a `TickerKernel` (compiled, from adapters) a frame is one call (`FusedFrames`); the numpy code
below is the reference it is tested against.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from domain.market_events import TickersUpdated
from domain.pair_state import PairState
from domain.scanner_history import IntArray, SecondHistory
from domain.scanner_kernel import FusedFrames, TickerKernel
from domain.scanner_rows import LAST_ALERT_MS, NEVER_MS, ScannerRows
from domain.scanner_rules import (
    ALERT_TYPES,
    METRIC_NAMES,
    FloatArray,
    ScannerAlert,
    ScannerRules,
    alert_masks,
    alert_metrics,
    alert_scores,
    alert_screen,
    eligible,
    quick_score,
    spread_pct,
)
from domain.time_units import DAY_MS
from domain.values import Candle, Ticker

NEVER = NEVER_MS
DETAIL_ORDER = (1, 3, 2, 0)  # the metrics rows of an alert's details: 1 min, 5 min change, distance, ratio


class Derived(NamedTuple):
    """What the rows' current values and history imply: `alert_metrics` and its inputs from history."""

    metrics: FloatArray  # (4, rows) in METRIC_NAMES order
    volume_1m: FloatArray
    price_1m: FloatArray
    price_5m: FloatArray


class MultiPairScanner(ScannerRows):
    def __init__(self, rules: ScannerRules, on_alert: Callable[[ScannerAlert], None] | None = None, *,
                 history_minutes: int = 5, capacity: int = 1024, max_alerts: int = 1000,
                 kernel: TickerKernel | None = None) -> None:
        if history_minutes < 5:
            raise ValueError(f"history_minutes must be >= 5 (the 5 min change), got {history_minutes}")
        super().__init__(capacity)
        self.rules = rules
        self.on_alert = on_alert
        self.history = SecondHistory(capacity, history_minutes * 60)
        self.last_alert_ms = self.ints[LAST_ALERT_MS:LAST_ALERT_MS + len(ALERT_TYPES)]
        self.fused = FusedFrames(kernel, capacity) if kernel is not None else None
        self._candles_seen = False  # no 1m candle volume yet: the estimate is the only one
        self.alerts: deque[ScannerAlert] = deque(maxlen=max_alerts)

    def _forget(self, rows: IntArray) -> None:
        super()._forget(rows)
        self.history.forget(rows)  # the alert cooldowns are rows of `ints`, reset by ScannerRows

    # -- updates -----------------------------------------------------------------------------------------
    def on_tickers(self, event: TickersUpdated) -> int:
        """One `!miniTicker@arr` frame (or a replayed minute). Returns the number of rows updated. The
        history moves with the exchange's event times (as candles do), not with the frame's local time.

        A frame arrives with cold caches (the bot idles in between), where each numpy call costs several
        microseconds whatever its size: the update is written in as few calls as the rules allow."""
        table = event.tickers
        n = len(table)
        if n == 0:
            return 0
        if self.fused is not None:
            updated, alerts = self.fused.apply(table, self, self.history, self._candles_seen, self.rules)
            self._raise(alerts)
            return updated
        # one dict lookup per ticker, in C; a symbol outside the universe maps to None (a Python test,
        # not one more kind of numpy call: a frame arrives with cold caches, where each kind costs)
        found = list(map(self.index.get, table.symbols))
        times, values, frame_ms = table.event_time_ms, table.values, table.last_event_ms or 0
        if None in found:
            mine = [i for i, row in enumerate(found) if row is not None]
            if not mine:
                return 0
            found = [found[i] for i in mine]
            times, values = times[mine], values[:, mine]
            frame_ms = int(times.max())
        return self._apply_tickers(np.array(found, dtype=np.intp), times, values, frame_ms)

    def on_ticker(self, ticker: Ticker) -> int:
        return self.on_tickers(TickersUpdated((ticker,), ticker.event_time_ms))

    def _apply_tickers(self, rows: IntArray, times: npt.NDArray[np.int64], values: FloatArray,
                       frame_ms: int) -> int:
        """`values`: (6, rows) in TickerTable order (close, open, high, low, volume, quote volume);
        `frame_ms`: the newest event time of the frame."""
        last = self.updated_ms[rows]
        fresh = times >= last  # an older ticker than the row's last one is ignored
        if not fresh.all():
            rows, times, values, last = rows[fresh], times[fresh], values[:, fresh], last[fresh]
        self.history.advance(frame_ms // 1000, self.price, self.cum_volume)
        if rows.size == 0:
            return 0
        quote = values[5]
        before = self.volume_24h[rows]
        elapsed = np.minimum(times - last, DAY_MS)  # fresh rows only: never negative
        traded = np.fmax(quote - before + before * elapsed / DAY_MS, 0.0)  # fmax: NaN (first ticker) -> 0
        cum = np.fmax(self.cum_volume[rows], 0.0) + traded  # fmax: NaN (never updated) counts as 0
        self.last_ticker[:, rows] = values
        self.cum_volume[rows] = cum
        self.updated_ms[rows] = times
        self.history.write(rows, values[0], cum)
        derived = self._derived(rows, values[0], values[2], quote, cum, times)
        self._check_alerts(rows, times, values[0], derived)
        return int(rows.size)

    def on_candle(self, candle: Candle) -> None:
        """A closed 1m candle: its close is the price, its quote volume the exact last-minute volume
        (volume x close when the data set has no quote volume). Open and non-1m candles are ignored."""
        row = self.index.get(candle.symbol)
        if row is None or not candle.closed or candle.interval_ms != 60_000:
            return
        if candle.close_time_ms > self.candle_close_ms[row]:
            exact = candle.quote_volume == candle.quote_volume  # NaN when the data set lacks the column
            self.candle_volume[row] = candle.quote_volume if exact else candle.volume * candle.close
            self.candle_close_ms[row] = candle.close_time_ms
            self._candles_seen = True
        if candle.close_time_ms < self.updated_ms[row]:
            return  # live, the kline closes after later tickers: keep their price, use its volume
        self.history.advance(candle.close_time_ms // 1000, self.price, self.cum_volume)
        self.price[row] = candle.close
        self.updated_ms[row] = candle.close_time_ms
        rows = np.array([row], dtype=np.intp)
        self.history.write(rows, self.price[rows], self.cum_volume[rows])

    # -- reading ----------------------------------------------------------------------------------------
    def _derived(self, rows: IntArray, price: FloatArray, high_24h: FloatArray, volume_24h: FloatArray,
                 cum_volume: FloatArray, updated_ms: npt.NDArray[np.int64]) -> Derived:
        """The alert inputs of these rows, given their current values (the caller has them at hand)."""
        price_1m, cum_1m = self.history.ago(60, rows)
        price_5m = self.history.price_ago(300, rows)
        volume_1m = cum_volume - cum_1m
        if self._candles_seen:  # a closed 1m candle's exact volume, while it is the latest minute
            exact = self.candle_close_ms[rows] >= updated_ms - 60_000
            volume_1m = np.where(exact, self.candle_volume[rows], volume_1m)
        return Derived(alert_metrics(price, price_1m, price_5m, high_24h, volume_1m, volume_24h), volume_1m,
                       price_1m, price_5m)

    def _derived_at(self, rows: IntArray) -> Derived:
        return self._derived(rows, self.price[rows], self.high_24h[rows], self.volume_24h[rows],
                             self.cum_volume[rows], self.updated_ms[rows])

    def _check_alerts(self, rows: IntArray, times: npt.NDArray[np.int64], price: FloatArray,
                      d: Derived) -> None:
        # the main thresholds first, over every row: rarely any passes, and the rest is for those only
        maybe = np.flatnonzero(alert_screen(self.rules, d.metrics).any(axis=0))
        if maybe.size == 0:
            return
        candidates = rows[maybe]
        metrics = d.metrics[:, maybe]
        due = alert_masks(self.rules, metrics)
        due &= (times[maybe] - self.last_alert_ms[:, candidates]) >= self.rules.alert_cooldown_ms
        spread = spread_pct(self.bid[candidates], self.ask[candidates])
        due &= eligible(price[maybe], self.volume_24h[candidates], spread, self.rules)
        hits = np.flatnonzero(due.any(axis=0))
        if hits.size == 0:
            return
        fired = due[:, hits].T.tolist()
        scores = alert_scores(self.rules, metrics[:, hits]).T.tolist()
        values = metrics[:, hits].T.tolist()
        volume_1m = d.volume_1m[maybe[hits]].tolist()
        times_at = times[maybe[hits]].tolist()
        for j, row in enumerate(candidates[hits].tolist()):
            time_ms, v = times_at[j], values[j]
            details = {METRIC_NAMES[k]: v[k] for k in DETAIL_ORDER}
            details["volume_1m"] = volume_1m[j]
            for k, alert_type in enumerate(ALERT_TYPES):
                if not fired[j][k]:
                    continue
                alert = ScannerAlert(self.symbol_of[row] or "", alert_type, scores[j][k], details, time_ms)
                self.last_alert_ms[k, row] = time_ms
                self._raise((alert,))

    def _raise(self, alerts: Iterable[ScannerAlert]) -> None:
        for alert in alerts:
            self.alerts.append(alert)
            if self.on_alert is not None:
                self.on_alert(alert)

    def _state(self, row: int, d: Derived, i: int) -> PairState:
        return PairState(self.symbol_of[row] or "", float(self.price[row]), float(d.price_1m[i]),
                         float(d.price_5m[i]), float(self.volume_24h[row]), float(d.volume_1m[i]),
                         float(self.high_24h[row]), float(self.low_24h[row]), float(self.bid[row]),
                         float(self.ask[row]), int(self.updated_ms[row]))

    def state(self, symbol: str) -> PairState | None:
        """None for a symbol outside the universe or not priced yet."""
        row = self.index.get(symbol)
        if row is None or not self.price[row] > 0:
            return None
        return self._state(row, self._derived_at(np.array([row], dtype=np.intp)), 0)

    def quick_scores(self) -> FloatArray:
        """Spec 4.2 quick score of every symbol, in `symbols` order; 0 where the filter fails."""
        rows = self.active_rows
        spread = spread_pct(self.bid[rows], self.ask[rows])
        ok = eligible(self.price[rows], self.volume_24h[rows], spread, self.rules)
        scores = quick_score(self._derived_at(rows).metrics, spread, self.rules.volume_spike_ratio)
        return np.where(ok & np.isfinite(scores), scores, 0.0)

    def get_top_opportunities(self, n: int = 10) -> list[PairState]:
        """The n best-scored pairs (score > 0 only), best first."""
        scores = self.quick_scores()
        if n <= 0 or scores.size == 0:
            return []
        top = np.argpartition(-scores, n - 1)[:n] if n < scores.size else np.arange(scores.size)
        top = top[scores[top] > 0]
        top = top[np.argsort(-scores[top], kind="stable")]
        rows = self.active_rows[top]
        d = self._derived_at(rows)
        return [self._state(int(row), d, i) for i, row in enumerate(rows)]

    def recent_alerts(self, since_ms: int = 0) -> Iterable[ScannerAlert]:
        return (a for a in self.alerts if a.time_ms >= since_ms)
