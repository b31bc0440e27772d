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
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Mapping
from itertools import repeat

import numpy as np
import numpy.typing as npt

from domain.market_events import TickersUpdated
from domain.pair_state import (
    ALERT_TYPES,
    FloatArray,
    PairState,
    ScannerAlert,
    ScannerRules,
    alert_masks,
    alert_scores,
    distance_from_high_pct,
    eligible,
    pct_change,
    quick_score,
    spread_pct,
    volume_ratio,
)
from domain.scanner_history import IntArray, SecondHistory
from domain.scanner_rows import ScannerRows
from domain.values import BookTop, Candle, Ticker

DAY_MS = 86_400_000
NEVER = np.iinfo(np.int64).min // 2
ALERT_INPUTS = ("change_1m", "change_5m", "distance_high", "volume_ratio")
DETAIL_NAMES = (("change_1m", "change_1m_pct"), ("change_5m", "change_5m_pct"),
                ("distance_high", "distance_from_high_pct"), ("volume_ratio", "volume_ratio"),
                ("volume_1m", "volume_1m"))


class MultiPairScanner(ScannerRows):
    def __init__(self, rules: ScannerRules, on_alert: Callable[[ScannerAlert], None] | None = None, *,
                 history_minutes: int = 5, capacity: int = 1024, max_alerts: int = 1000) -> None:
        if history_minutes < 5:
            raise ValueError(f"history_minutes must be >= 5 (the 5 min change), got {history_minutes}")
        super().__init__(capacity)
        self.rules = rules
        self.on_alert = on_alert
        self.history = SecondHistory(capacity, history_minutes * 60)
        self.last_alert_ms = np.full((capacity, len(ALERT_TYPES)), NEVER, dtype=np.int64)
        self.alerts: deque[ScannerAlert] = deque(maxlen=max_alerts)

    def _forget(self, rows: IntArray) -> None:
        super()._forget(rows)
        self.history.forget(rows)
        self.last_alert_ms[rows] = NEVER

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
        # one dict lookup per ticker, in C; symbols outside the universe map to -1
        rows = np.fromiter(map(self.index.get, table.symbols, repeat(-1)), np.intp, n)
        times, values = table.event_time_ms, table.values
        if rows.min() < 0:
            mine = np.flatnonzero(rows >= 0)
            if mine.size == 0:
                return 0
            rows, times, values = rows[mine], times[mine], values[:, mine]
        return self._apply_tickers(rows, times, values)

    def on_ticker(self, ticker: Ticker) -> int:
        return self.on_tickers(TickersUpdated((ticker,), ticker.event_time_ms))

    def _apply_tickers(self, rows: IntArray, times: npt.NDArray[np.int64], values: FloatArray) -> int:
        """`values`: (6, rows) in TickerTable order (close, open, high, low, volume, quote volume)."""
        frame_ms = int(times.max())
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
        self._check_alerts(rows, times, self._derived(rows, values[0], values[2], quote, cum, times))
        return int(rows.size)

    def on_book_top(self, top: BookTop) -> None:
        row = self.index.get(top.symbol)
        if row is not None:
            self.bid[row] = top.bid
            self.ask[row] = top.ask

    def forget_book(self, symbol: str) -> None:
        """The book went stale: its spread is unknown again."""
        row = self.index.get(symbol)
        if row is not None:
            self.bid[row] = self.ask[row] = np.nan

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
        if candle.close_time_ms < self.updated_ms[row]:
            return  # live, the kline closes after later tickers: keep their price, use its volume
        self.history.advance(candle.close_time_ms // 1000, self.price, self.cum_volume)
        self.price[row] = candle.close
        self.updated_ms[row] = candle.close_time_ms
        rows = np.array([row], dtype=np.intp)
        self.history.write(rows, self.price[rows], self.cum_volume[rows])

    # -- reading ----------------------------------------------------------------------------------------
    def _derived(self, rows: IntArray, price: FloatArray, high_24h: FloatArray, volume_24h: FloatArray,
                 cum_volume: FloatArray, updated_ms: npt.NDArray[np.int64]) -> dict[str, FloatArray]:
        """The alert inputs of these rows, given their current values (the caller has them at hand)."""
        price_1m, cum_1m = self.history.ago(60, rows)
        price_5m = self.history.price_ago(300, rows)
        exact = self.candle_close_ms[rows] >= updated_ms - 60_000
        volume_1m = np.where(exact, self.candle_volume[rows], cum_volume - cum_1m)
        change_1m, change_5m = pct_change(price, np.array((price_1m, price_5m)))  # both rules in one pass
        return {"price": price, "price_1m": price_1m, "price_5m": price_5m, "volume_1m": volume_1m,
                "change_1m": change_1m, "change_5m": change_5m,
                "distance_high": distance_from_high_pct(price, high_24h),
                "volume_ratio": volume_ratio(volume_1m, volume_24h)}

    def _derived_at(self, rows: IntArray) -> dict[str, FloatArray]:
        d = self._derived(rows, self.price[rows], self.high_24h[rows], self.volume_24h[rows],
                          self.cum_volume[rows], self.updated_ms[rows])
        d["spread"] = spread_pct(self.bid[rows], self.ask[rows])
        return d

    def _check_alerts(self, rows: IntArray, times: npt.NDArray[np.int64],
                      d: Mapping[str, FloatArray]) -> None:
        due = alert_masks(self.rules, *(d[name] for name in ALERT_INPUTS))
        maybe = np.flatnonzero(due.any(axis=1))  # rarely any: the other checks only for these rows
        if maybe.size == 0:
            return
        candidates = rows[maybe]
        due = due[maybe]
        due &= (times[maybe, None] - self.last_alert_ms[candidates]) >= self.rules.alert_cooldown_ms
        spread = spread_pct(self.bid[candidates], self.ask[candidates])
        due &= eligible(d["price"][maybe], self.volume_24h[candidates], spread, self.rules)[:, None]
        hits = np.flatnonzero(due.any(axis=1))
        if hits.size == 0:
            return
        at = maybe[hits]
        scores = alert_scores(self.rules, *(d[name][at] for name in ALERT_INPUTS))
        for j, i in enumerate(at.tolist()):
            row, time_ms = int(rows[i]), int(times[i])
            details = {label: float(d[name][i]) for name, label in DETAIL_NAMES}
            for k in np.flatnonzero(due[hits[j]]).tolist():
                alert = ScannerAlert(self.symbol_of[row] or "", ALERT_TYPES[k], float(scores[j, k]), details,
                                     time_ms)
                self.last_alert_ms[row, k] = time_ms
                self.alerts.append(alert)
                if self.on_alert is not None:
                    self.on_alert(alert)

    def _state(self, row: int, d: Mapping[str, FloatArray], i: int) -> PairState:
        return PairState(self.symbol_of[row] or "", float(d["price"][i]), float(d["price_1m"][i]),
                         float(d["price_5m"][i]), float(self.volume_24h[row]), float(d["volume_1m"][i]),
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
        d = self._derived_at(rows)
        ok = eligible(d["price"], self.volume_24h[rows], d["spread"], self.rules)
        scores = quick_score(d["change_1m"], d["distance_high"], d["spread"], d["volume_ratio"],
                             self.rules.volume_spike_ratio)
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
