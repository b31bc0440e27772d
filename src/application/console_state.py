"""Build the operator console's snapshot from the trading loop's face and the risk book, and carry out
its controls between two steps of the loop (ports/console.py).

Read-only but for the controls: nothing here calls the exchange. Equity is marked at the last prices
seen with the balances last read; the equity curve keeps one point every `curve_every_ms`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from loguru import logger

from application.recent_trades import RecentTrades
from application.trading_loop import TradingLoop
from domain.pair_state import PairState
from domain.scanner_rules import ScannerAlert
from ports.clock import Clock
from ports.console import (
    AlertView,
    BotSnapshot,
    CandidateView,
    DecisionView,
    FeedView,
    PositionView,
    RiskView,
    UnknownPosition,
)


class ScannerView(Protocol):
    """What the console reads of the scanner (application/scan_market.ScanMarket)."""

    def candidates(self, n: int) -> list[PairState]: ...

    @property
    def recent_alerts(self) -> Sequence[tuple[ScannerAlert, int]]: ...


@dataclass(frozen=True, slots=True)
class ConsoleLimits:
    stale_after_ms: int = 30_000  # no market event for this long: the feed is stale
    stall_after_ms: int = 60_000  # no tick of the loop for this long: it is stalled
    curve_every_ms: int = 10_000
    curve_points: int = 2_000
    recent: int = 20  # trades, alerts and decisions shown


class ConsoleState:
    def __init__(self, loop: TradingLoop, trades: RecentTrades, clock: Clock, *, venue: str,
                 scanner: ScannerView | None = None, limits: ConsoleLimits = ConsoleLimits()) -> None:
        self._loop, self._trades, self._clock, self._scanner = loop, trades, clock, scanner
        self._venue, self._limits = venue, limits
        self._started_ms = clock.now_ms()
        self._curve: deque[tuple[int, float]] = deque(maxlen=limits.curve_points)

    # -- the read model ------------------------------------------------------------------------------
    def snapshot(self) -> BotSnapshot:
        loop, now, limits = self._loop, self._clock.now_ms(), self._limits
        equity = loop.marked_equity()
        if not self._curve or now - self._curve[-1][0] >= limits.curve_every_ms:
            self._curve.append((now, equity))
        running = not loop.stopped
        last_tick = loop.last_tick_ms if loop.last_tick_ms is not None else self._started_ms
        return BotSnapshot(
            mode=loop.config.mode, venue=self._venue, now_ms=now, started_ms=self._started_ms,
            model_version=loop.model_version,
            ev_gate_margin_pct=loop.config.thresholds.min_expected_net_return_percent,
            entries_paused=loop.entries_paused, running=running, stopped_reason=loop.stopped_reason,
            loop_stalled=running and now - last_tick > limits.stall_after_ms, equity=equity,
            quote_asset=loop.config.quote_asset, feed=self._feed(now), risk=self._risk(now, equity),
            positions=self._positions(), trades=self._trades.recent(limits.recent),
            trade_count=self._trades.count, run_pnl_usdt=self._trades.pnl_usdt, run_wins=self._trades.wins,
            candidates=self._candidates(), alerts=self._alerts(),
            decisions=tuple(DecisionView(t, key, text) for t, key, text in
                            list(loop.entries.decisions.recent)[-limits.recent:]),
            equity_curve=tuple(self._curve), gate_closed_reason=loop.gate_closed_reason(),
            model_gate_closed=loop.model_health is not None and not loop.model_health.gate_open)

    def _feed(self, now: int) -> FeedView:
        last = self._loop.last_event_ms
        silence = None if last is None else now - last
        since = silence if silence is not None else now - self._started_ms
        return FeedView(last_event_ms=last, silence_ms=silence, lag_ms=self._loop.feed_lag_ms,
                        reconnects=self._loop.feed_reconnects, stale=since > self._limits.stale_after_ms)

    def _risk(self, now: int, equity: float) -> RiskView:
        risk, limits = self._loop.risk, self._loop.risk.limits
        start = risk.day_start_capital(now)
        return RiskView(
            daily_pnl_usdt=risk.daily_pnl(now), day_start_capital=start,
            daily_loss_limit_usdt=limits.max_daily_loss_pct * start,
            trades_last_hour=risk.trades_last_hour(now), max_trades_per_hour=limits.max_trades_per_hour,
            trades_today=risk.trades_today(now), max_trades_per_day=limits.max_trades_per_day,
            open_positions=len(self._loop.busy_symbols()), max_open_positions=limits.max_open_positions,
            drawdown=risk.drawdown, max_drawdown=limits.max_drawdown_pct, peak_equity=risk.peak_equity,
            kill_switch_active=risk.kill_switch_active, kill_switch_reason=risk.kill_switch_reason)

    def _positions(self) -> tuple[PositionView, ...]:
        views = []
        for p in self._loop.open_positions():
            last = self._loop.memory.current_price(p.symbol)
            views.append(PositionView(
                symbol=p.symbol, quantity=p.quantity, entry_price=p.entry_price,
                entry_time_ms=p.entry_time_ms, last_price=last,
                unrealized_pnl_usdt=None if last is None else (last - p.entry_price) * p.quantity,
                stop_loss_price=p.stop_loss_price, take_profit_price=p.take_profit_price,
                trailing_stop_price=p.trailing_stop_price, oco_list_id=p.oco_list_id,
                entry_order_id=p.entry_order_id))
        return tuple(views)

    def _candidates(self) -> tuple[CandidateView, ...]:
        if self._scanner is None:
            return ()
        return tuple(CandidateView(s.symbol, s.price, s.change_1m_pct, s.change_5m_pct, s.volume_24h,
                                   s.spread_pct)
                     for s in self._scanner.candidates(self._loop.config.top_candidates))

    def _alerts(self) -> tuple[AlertView, ...]:
        if self._scanner is None:
            return ()
        recent = list(self._scanner.recent_alerts)[-self._limits.recent:]
        return tuple(AlertView(a.symbol, a.alert_type.value, a.score, a.time_ms, seen) for a, seen in recent)

    # -- the controls (each honoured by the loop between two steps) ----------------------------------
    def pause_entries(self) -> str:
        self._loop.entries_paused = True
        return "entries paused: no new trade; open positions are still managed"

    def resume_entries(self) -> str:
        self._loop.entries_paused = False
        return "entries resumed"

    def close_position(self, symbol: str) -> str:
        symbol = symbol.upper()
        if not self._loop.request_close(symbol):
            raise UnknownPosition(f"no open position on {symbol}")
        return f"closing {symbol} at market"

    def stop_bot(self) -> str:
        self._loop.request_stop("stop asked by the operator")
        return "stopping after the current step; open positions keep their exchange-side OCO"

    def reset_kill_switch(self) -> str:
        risk = self._loop.risk
        if not risk.kill_switch_active:
            return "the kill switch is not active"
        risk.reset_kill_switch()
        return "kill switch reset; the bot trades again after a restart" if self._loop.stopped \
            else "kill switch reset"

    def reopen_model_gate(self) -> str:
        reason = self._loop.reopen_model_gate()
        if reason is None:
            return "the model's health watch has not closed the EV gate"
        logger.warning("EV gate reopened by the operator (it was closed for: {})", reason)
        lab = self._loop.config.lab_gate_closed
        return "EV gate reopened; the model is judged afresh" + \
            (f" (the lab's verdict still keeps it closed: {lab})" if lab is not None else "")
