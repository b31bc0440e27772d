"""Prometheus metrics (prometheus-client) on a registry of their own, fed by the console's pulse (one
snapshot a second), by each completed trade, by the timed exchange, and by the log's ERROR lines.

Nothing here runs on the loop's hot path but a histogram observation per order (a few microseconds).
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from domain.position import CompletedTrade
from ports.console import BotSnapshot

LATENCY_BUCKETS = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class ConsoleMetrics:
    def __init__(self) -> None:
        self.registry = r = CollectorRegistry()
        self.equity = Gauge("cryptoscalper_equity", "Marked equity in the quote asset", registry=r)
        self.open_positions = Gauge("cryptoscalper_open_positions", "Open positions", registry=r)
        self.drawdown = Gauge("cryptoscalper_drawdown_ratio", "Drawdown from the peak equity", registry=r)
        self.daily_pnl = Gauge("cryptoscalper_daily_pnl", "Realised PnL of the UTC day", registry=r)
        self.kill_switch = Gauge("cryptoscalper_kill_switch_active", "1 when the kill switch is on",
                                 registry=r)
        self.entries_paused = Gauge("cryptoscalper_entries_paused", "1 when entries are paused", registry=r)
        self.up = Gauge("cryptoscalper_healthy", "1 when the feed is fresh and the loop ticks", registry=r)
        self.ev_gate = Gauge("cryptoscalper_ev_gate_enabled", "1 when the EV gate is on", registry=r)
        self.ev_margin = Gauge("cryptoscalper_ev_gate_margin_pct", "EV gate margin (percent)", registry=r)
        self.feed_lag = Gauge("cryptoscalper_feed_lag_seconds", "Now minus the last tickers frame's time",
                              registry=r)
        self.feed_silence = Gauge("cryptoscalper_feed_silence_seconds", "Since the last market event",
                                  registry=r)
        self.reconnects = Counter("cryptoscalper_feed_reconnects", "Market feed reconnections", registry=r)
        self.trades = Counter("cryptoscalper_trades", "Completed trades", ["exit_reason"], registry=r)
        self.pnl = Gauge("cryptoscalper_trade_pnl", "Net PnL summed over completed trades (a gauge: it "
                         "falls with losses)", ["exit_reason"], registry=r)
        self.errors = Counter("cryptoscalper_errors", "ERROR log lines", ["kind"], registry=r)
        self.rate_weight = Gauge("cryptoscalper_rate_limit_weight_used", "Request weight used this minute",
                                 registry=r)
        self.detection = Histogram("cryptoscalper_scanner_detection_seconds",
                                   "Scanner alert raised minus its market data's time",
                                   buckets=LATENCY_BUCKETS, registry=r)
        self.tick_to_order = Histogram("cryptoscalper_tick_to_order_seconds",
                                       "Market event handed to the loop -> order sent",
                                       buckets=LATENCY_BUCKETS, registry=r)
        self.round_trip = Histogram("cryptoscalper_order_round_trip_seconds", "Order request -> answer",
                                    ["kind"], buckets=LATENCY_BUCKETS, registry=r)
        self._reconnects_seen = 0
        self._last_alert_ms = 0

    def update(self, s: BotSnapshot, weight_used: int | None = None) -> None:
        """Gauges from one snapshot; counters by what changed since the last one."""
        self.equity.set(s.equity)
        self.open_positions.set(len(s.positions))
        self.drawdown.set(s.risk.drawdown)
        self.daily_pnl.set(s.risk.daily_pnl_usdt)
        self.kill_switch.set(int(s.risk.kill_switch_active))
        self.entries_paused.set(int(s.entries_paused))
        self.up.set(int(s.healthy))
        self.ev_gate.set(int(s.ev_gate_margin_pct is not None))
        self.ev_margin.set(s.ev_gate_margin_pct or 0.0)
        if s.feed.lag_ms is not None:
            self.feed_lag.set(s.feed.lag_ms / 1000)
        if s.feed.silence_ms is not None:
            self.feed_silence.set(s.feed.silence_ms / 1000)
        if s.feed.reconnects > self._reconnects_seen:
            self.reconnects.inc(s.feed.reconnects - self._reconnects_seen)
            self._reconnects_seen = s.feed.reconnects
        for alert in s.alerts:
            if alert.seen_ms > self._last_alert_ms:
                self.detection.observe(max(0, alert.seen_ms - alert.time_ms) / 1000)
        if s.alerts:
            self._last_alert_ms = max(self._last_alert_ms, max(a.seen_ms for a in s.alerts))
        if weight_used is not None:
            self.rate_weight.set(weight_used)

    def on_trade(self, trade: CompletedTrade) -> None:
        reason = trade.exit_reason.value
        self.trades.labels(exit_reason=reason).inc()
        self.pnl.labels(exit_reason=reason).inc(trade.pnl_usdt)

    def on_error(self, kind: str) -> None:
        self.errors.labels(kind=kind).inc()

    def text(self) -> bytes:
        return generate_latest(self.registry)
