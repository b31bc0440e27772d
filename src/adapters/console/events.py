"""What is worth a notification, found by comparing the console's snapshots (one a second): start, stop,
halts, the kill switch, the EV gate closing (the model's health watch, application/guard_model.py) or
opening again, repeated errors, each trade (optional) and a daily summary at 00:00 UTC. Each is told once,
on the snapshot where it changed."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from adapters.console.config import NotifyConfig
from domain.position import CompletedTrade
from domain.time_units import DAY_MS
from ports.console import BotSnapshot

Send = Callable[[str, str], None]


def _day(ms: int) -> str:
    from datetime import UTC, datetime  # formatting only
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d")


class EventWatch:
    def __init__(self, send: Send, config: NotifyConfig) -> None:
        self._send, self._config = send, config
        self._last: BotSnapshot | None = None
        self._stopped_told = False
        self._errors: deque[int] = deque()
        self._errors_told_ms = -config.repeated_window_ms

    def on_snapshot(self, s: BotSnapshot) -> None:
        last, self._last = self._last, s
        if last is None:
            closed = "" if s.gate_closed_reason is None else f"; EV gate CLOSED: {s.gate_closed_reason}"
            self._send("CryptoScalper started", f"{s.mode} on {s.venue}, model {s.model_version}, equity "
                       f"{s.equity:.2f} {s.quote_asset}{closed}")
            return
        if s.risk.kill_switch_active and not last.risk.kill_switch_active:
            self._send("KILL SWITCH", f"{s.risk.kill_switch_reason}: every position closed, trading stopped")
        self._told_gate(last, s)
        if last.running and not s.running:
            self._told_stop(s)
        if self._config.daily_summary and s.now_ms // DAY_MS > last.now_ms // DAY_MS:
            r = last.risk
            self._send(f"Daily summary {_day(last.now_ms)}",
                       f"{r.trades_today} trade(s), PnL {r.daily_pnl_usdt:+.2f} {s.quote_asset}, equity "
                       f"{last.equity:.2f}, drawdown {r.drawdown:.1%}, {len(s.positions)} open")

    def on_trade(self, trade: CompletedTrade) -> None:
        if self._config.each_trade:
            self._send(f"Trade {trade.symbol} {trade.exit_reason.value}",
                       f"{trade.quantity:g} @ {trade.entry_price:.8g} -> {trade.exit_price:.8g}: "
                       f"{trade.pnl_usdt:+.4f} {self._quote()} ({trade.pnl_pct:+.2f}%)")

    def _quote(self) -> str:
        """The run's quote asset (a trade carries none): the last snapshot's, USDT before the first."""
        return self._last.quote_asset if self._last is not None else "USDT"

    def _told_gate(self, last: BotSnapshot, s: BotSnapshot) -> None:
        """The gate closing or opening again; a closed gate whose reason is reworded is not news."""
        if s.gate_closed_reason is not None and last.gate_closed_reason is None:
            self._send("EV GATE CLOSED", f"{s.gate_closed_reason}; no new entry until a restart or the "
                       "dashboard's Reopen EV gate, "
                       f"{len(s.positions)} open position(s) keep their exits")
        elif s.gate_closed_reason is None and last.gate_closed_reason is not None:
            self._send("EV gate open again",
                       f"was closed for: {last.gate_closed_reason}; new entries allowed")

    def on_error(self, now_ms: int, text: str) -> None:
        """One ERROR line; `repeated_errors` within the window send one notice (then none for a window)."""
        window = self._config.repeated_window_ms
        self._errors.append(now_ms)
        while self._errors and self._errors[0] <= now_ms - window:
            self._errors.popleft()
        if len(self._errors) >= self._config.repeated_errors and now_ms - self._errors_told_ms >= window:
            self._errors_told_ms = now_ms
            self._send("Repeated errors", f"{len(self._errors)} errors in {window // 60_000} min; "
                       f"the last: {text[:300]}")

    def final(self, s: BotSnapshot | None) -> None:
        """At shutdown: the stop notice, unless it was already sent."""
        if s is not None:
            self._told_stop(s)

    def _told_stop(self, s: BotSnapshot) -> None:
        if self._stopped_told:
            return
        self._stopped_told = True
        reason = s.stopped_reason or "stopped"
        halted = reason.startswith(("halted", "kill switch"))
        title = "CryptoScalper HALTED" if halted else "CryptoScalper stopped"
        self._send(title, f"{reason}; {len(s.positions)} position(s) open, equity {s.equity:.2f} "
                   f"{s.quote_asset}")
