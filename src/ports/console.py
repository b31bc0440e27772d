"""What the operator's console reads (a snapshot of the bot) and what it may ask (the controls).

The snapshot is plain frozen values, built by application/console_state.py from the trading loop's face
and the risk book today, and from the durable state store later: the console adapters (dashboard, REST,
metrics, notifications, Telegram) depend only on this module and the domain.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from domain.position import CompletedTrade


@dataclass(frozen=True, slots=True)
class PositionView:
    symbol: str
    quantity: float
    entry_price: float
    entry_time_ms: int
    last_price: float | None
    unrealized_pnl_usdt: float | None
    stop_loss_price: float
    take_profit_price: float
    trailing_stop_price: float | None
    oco_list_id: int  # the exchange-side protection; -1 when the position is NOT protected
    entry_order_id: int


@dataclass(frozen=True, slots=True)
class CandidateView:
    symbol: str
    price: float
    change_1m_pct: float
    change_5m_pct: float
    volume_24h: float
    spread_pct: float


@dataclass(frozen=True, slots=True)
class AlertView:
    symbol: str
    kind: str
    score: float
    time_ms: int  # the market time of the data that raised it
    seen_ms: int  # when the scanner raised it (its detection latency is seen_ms - time_ms)


@dataclass(frozen=True, slots=True)
class DecisionView:
    time_ms: int
    key: str
    text: str


@dataclass(frozen=True, slots=True)
class RiskView:
    daily_pnl_usdt: float
    day_start_capital: float
    daily_loss_limit_usdt: float
    trades_last_hour: int
    max_trades_per_hour: int
    trades_today: int
    max_trades_per_day: int
    open_positions: int
    max_open_positions: int
    drawdown: float
    max_drawdown: float
    peak_equity: float
    kill_switch_active: bool
    kill_switch_reason: str | None


@dataclass(frozen=True, slots=True)
class FeedView:
    last_event_ms: int | None
    silence_ms: int | None  # since the last market event
    lag_ms: int | None  # now - the market time of the last tickers frame
    reconnects: int
    stale: bool


@dataclass(frozen=True, slots=True)
class BotSnapshot:
    mode: str  # backtest, paper, live
    venue: str  # PRODUCTION, TESTNET, PAPER, or VENUE <url>
    now_ms: int
    started_ms: int
    model_version: str
    ev_gate_margin_pct: float | None  # None: the EV gate is off
    entries_paused: bool
    running: bool
    stopped_reason: str | None
    loop_stalled: bool
    equity: float
    quote_asset: str
    feed: FeedView
    risk: RiskView
    positions: tuple[PositionView, ...]
    trades: tuple[CompletedTrade, ...]  # the most recent last
    trade_count: int  # every trade journaled since start (a counter)
    run_pnl_usdt: float  # their net PnL
    run_wins: int
    candidates: tuple[CandidateView, ...]
    alerts: tuple[AlertView, ...]
    decisions: tuple[DecisionView, ...]
    equity_curve: tuple[tuple[int, float], ...]
    gate_closed_reason: str | None = None  # the lab's verdict or the model's health: why nothing is entered
    model_gate_closed: bool = False  # the model's health watch closed the gate: an operator may reopen it

    @property
    def uptime_sec(self) -> float:
        return max(0, self.now_ms - self.started_ms) / 1000

    @property
    def healthy(self) -> bool:
        return self.running and not self.feed.stale and not self.loop_stalled


class ConsoleSource(Protocol):
    """The read model: one consistent snapshot of the bot, cheap enough to take every second."""

    def snapshot(self) -> BotSnapshot: ...


class ConsoleControls(Protocol):
    """What an operator may ask. Each returns a short sentence saying what was done or why not."""

    def pause_entries(self) -> str: ...

    def resume_entries(self) -> str: ...

    def close_position(self, symbol: str) -> str: ...

    def stop_bot(self) -> str: ...

    def reset_kill_switch(self) -> str: ...

    def reopen_model_gate(self) -> str: ...


class Console(ConsoleSource, ConsoleControls, Protocol):
    """Both faces: what the dashboard, the REST API and the Telegram commands are given."""


class UnknownPosition(LookupError):
    """close_position on a symbol with no open position."""
