"""The tunables the trading use cases read, as plain frozen values (the application never sees pydantic).

Bootstrap builds a `LoopConfig` from the settings with `loop_config_from_settings(settings)`; tests build
one directly. Times are integer milliseconds, fractions are fractions (0.004 = 0.4%).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from domain.features import WARMUP_BARS
from domain.position import ExitPolicy
from domain.risk import RiskLimits
from domain.signal import SignalThresholds


class OrphanPolicy(StrEnum):
    """What to do with a base asset found on the account without a position of ours."""

    LEAVE = "leave"  # report it (WARNING) and never touch it: the safe default
    SELL = "sell"  # market-sell it


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How a use case retries one exchange call the loop allows it to retry (same request, same id)."""

    attempts: int = 3
    first_delay_s: float = 0.5
    max_delay_s: float = 4.0
    max_rate_limit_wait_s: float = 10.0  # a longer Retry-After goes back to the loop, which pauses


@dataclass(frozen=True, slots=True)
class ExecutionConfig:
    taker_fee_rate: float = 0.001
    maker_fee_rate: float = 0.001
    maker_entries: bool = False
    maker_entry_timeout_ms: int = 20_000
    # The stop-loss leg is a STOP_LOSS_LIMIT when the pair has no STOP_LOSS market type: its limit rests
    # this far below the stop so a fast drop still fills it.
    stop_limit_buffer_pct: float = 0.002
    retry: RetryPolicy = field(default_factory=RetryPolicy)


@dataclass(frozen=True, slots=True)
class LoopConfig:
    thresholds: SignalThresholds
    exit_policy: ExitPolicy
    mode: str = "paper"
    quote_asset: str = "USDT"
    symbols: tuple[str, ...] = ()  # the scanner's universe when no SymbolUniverse is given
    scan_interval_ms: int = 2_000
    top_candidates: int = 10
    max_symbols_active: int = 5
    stats_interval_ms: int = 60_000
    order_poll_interval_ms: int = 1_000  # at most one OCO status query per position this often
    reconcile_interval_ms: int = 300_000
    universe_refresh_ms: int = 3_600_000
    warmup_bars: int = WARMUP_BARS
    orphan_policy: OrphanPolicy = OrphanPolicy.LEAVE
    orphan_ignored_assets: tuple[str, ...] = ("BNB",)  # kept on purpose (BNB pays discounted fees)
    max_feed_restarts: int = 5  # consecutive failures of the event stream before the loop halts
    execution: ExecutionConfig = field(default_factory=ExecutionConfig)


def loop_config_from_settings(settings: Any) -> LoopConfig:
    """`settings` is a bootstrap.settings_model.Settings (not imported: the application is inner)."""
    risk, signal, timing, execution = settings.risk, settings.signal, settings.timing, settings.execution
    trailing = risk.trailing_activation_pct if risk.trailing_stop_enabled else None
    ev_margin = signal.min_expected_net_return_pct if signal.ev_gate_enabled else None
    return LoopConfig(
        thresholds=SignalThresholds(
            min_probability=signal.min_probability, min_confidence=signal.min_confidence,
            min_predicted_move_pct=signal.min_predicted_move_pct, stop_loss_pct=risk.default_stop_loss_pct,
            take_profit_pct=risk.default_take_profit_pct, max_position_pct=risk.max_position_pct,
            min_expected_net_return_pct=ev_margin),
        exit_policy=ExitPolicy(
            take_profit_pct=risk.default_take_profit_pct, stop_loss_pct=risk.default_stop_loss_pct,
            timeout_sec=timing.position_timeout_seconds, trailing_activation_pct=trailing,
            trailing_distance_pct=risk.trailing_distance_pct, min_hold_sec=risk.min_hold_seconds),
        mode=settings.trading.mode, quote_asset=settings.trading.quote_asset,
        symbols=tuple(settings.trading.symbols),
        scan_interval_ms=round(timing.scan_interval_seconds * 1000),
        top_candidates=settings.scanner.top_candidates,
        max_symbols_active=settings.trading.max_symbols_active,
        stats_interval_ms=round(timing.stats_interval_seconds * 1000),
        universe_refresh_ms=round(settings.scanner.refresh_symbols_hours * 3_600_000),
        execution=ExecutionConfig(
            taker_fee_rate=execution.effective_taker_fee, maker_fee_rate=execution.effective_maker_fee,
            maker_entries=execution.maker_entries,
            maker_entry_timeout_ms=round(execution.maker_entry_timeout_seconds * 1000)),
    )


def risk_limits_from_settings(settings: Any) -> RiskLimits:
    risk = settings.risk
    return RiskLimits(
        initial_capital=risk.initial_capital, max_position_pct=risk.max_position_pct,
        min_position_usdt=risk.min_position_usdt, max_loss_per_trade_pct=risk.max_loss_per_trade_pct,
        max_daily_loss_pct=risk.max_daily_loss_pct, max_drawdown_pct=risk.max_drawdown_pct,
        max_open_positions=risk.max_open_positions, max_trades_per_hour=risk.max_trades_per_hour,
        max_trades_per_day=risk.max_trades_per_day)
