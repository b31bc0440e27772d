"""Settings -> the trading loop's values: risk limits, the EV gate and signal thresholds, scanner rules,
exit policy (and its whole-bar form for research), execution, recovery and model-health bounds, and the
LoopConfig that gathers them. Seconds and hours become integer milliseconds here."""

from __future__ import annotations

from application.trading_config import (
    ExecutionConfig,
    HoldingPolicy,
    LoopConfig,
    OrphanOrderPolicy,
    RecoveryConfig,
)
from bootstrap.settings_model import Settings
from domain.model_health import HealthBounds
from domain.outcome import ExitRules
from domain.position import ExitPolicy
from domain.risk import RiskLimits
from domain.scanner_rules import ScannerRules
from domain.signal import SignalThresholds
from domain.time_units import HOUR_MS


def risk_limits_from(settings: Settings) -> RiskLimits:
    risk = settings.risk
    return RiskLimits(
        initial_capital=risk.initial_capital, max_position_pct=risk.max_position_pct,
        min_position_usdt=risk.min_position_usdt, max_loss_per_trade_pct=risk.max_loss_per_trade_pct,
        max_daily_loss_pct=risk.max_daily_loss_pct, max_drawdown_pct=risk.max_drawdown_pct,
        max_open_positions=risk.max_open_positions, max_trades_per_hour=risk.max_trades_per_hour,
        max_trades_per_day=risk.max_trades_per_day, cooldown_ms=risk.cooldown_seconds * 1000,
        quote_asset=settings.trading.quote_asset)


def expected_return_margin(settings: Settings, model_gate_pct: float | None) -> float | None:
    """The EV gate's margin (percent): the settings' margin, raised (never lowered) to the model's own
    gate fitted on validation; None when the gate is disabled in the settings."""
    signal = settings.signal
    if not signal.ev_gate_enabled:
        return None
    if model_gate_pct is None:
        return signal.min_expected_net_return_pct
    return max(signal.min_expected_net_return_pct, model_gate_pct)


EV_GATE_OVERRIDDEN = "EV GATE OVERRIDDEN: trading without an edge, for rehearsal only"
EV_GATE_FLAG_NOTE = "EV gate overridden (--ignore-edge-gate)"


def without_edge_gate(settings: Settings) -> Settings:
    """`--ignore-edge-gate` (paper and backtest; live refuses it): this run's settings with the EV gate
    off, so every mapping below, the container's loop config included, follows from the settings."""
    signal = settings.signal.model_copy(update={"ev_gate_enabled": False})
    return settings.model_copy(update={"signal": signal})


def ev_gate_state(settings: Settings, *, overridden: bool = False) -> str:
    """How this run treats the EV gate, in words for reports (summary.json's `ev_gate`)."""
    if overridden:
        return "overridden (--ignore-edge-gate)"
    return "on" if settings.signal.ev_gate_enabled else "off (signal.ev_gate_enabled: false)"


def signal_thresholds_from(settings: Settings, model_gate_pct: float | None = None) -> SignalThresholds:
    signal, risk = settings.signal, settings.risk
    return SignalThresholds(
        min_probability=signal.min_probability, min_confidence=signal.min_confidence,
        min_predicted_move_percent=signal.min_predicted_move_pct, stop_loss_pct=risk.default_stop_loss_pct,
        take_profit_pct=risk.default_take_profit_pct, max_position_pct=risk.max_position_pct,
        min_expected_net_return_percent=expected_return_margin(settings, model_gate_pct))


def scanner_rules_from(settings: Settings) -> ScannerRules:
    scanner, alerts = settings.scanner, settings.scanner.alerts
    return ScannerRules(
        min_volume_24h=scanner.min_volume_24h, max_spread_pct=scanner.max_spread_pct,
        volume_spike_ratio=alerts.volume_spike_ratio, momentum_threshold_pct=alerts.momentum_threshold_pct,
        breakout_distance_pct=alerts.breakout_distance_pct, reversal_drop_pct=alerts.reversal_drop_pct)


def exit_policy_from(settings: Settings) -> ExitPolicy:
    risk = settings.risk
    return ExitPolicy(
        take_profit_pct=risk.default_take_profit_pct, stop_loss_pct=risk.default_stop_loss_pct,
        timeout_sec=settings.timing.position_timeout_seconds,
        trailing_activation_pct=risk.trailing_activation_pct if risk.trailing_stop_enabled else None,
        trailing_distance_pct=risk.trailing_distance_pct, min_hold_sec=risk.min_hold_seconds)


def exit_rules_from(settings: Settings) -> ExitRules:
    """The settings' exit policy in whole bars, as domain.outcome simulates it (research, labels)."""
    risk = settings.risk
    return ExitRules(take_profit_pct=risk.default_take_profit_pct, stop_loss_pct=risk.default_stop_loss_pct,
                     timeout_bars=max(1, settings.timing.position_timeout_seconds // 60),
                     trailing_activation_pct=risk.trailing_activation_pct if risk.trailing_stop_enabled
                     else None, trailing_distance_pct=risk.trailing_distance_pct,
                     min_hold_bars=risk.min_hold_seconds // 60)


def execution_config_from(settings: Settings) -> ExecutionConfig:
    execution = settings.execution
    return ExecutionConfig(
        taker_fee_rate=execution.fees.effective_taker, maker_fee_rate=execution.fees.effective_maker,
        maker_entries=execution.maker_entries, maker_take_profit=execution.maker_take_profit,
        maker_entry_timeout_ms=round(execution.maker_entry_timeout_seconds * 1000),
        fees=execution.fee_table)


def loop_config_from(settings: Settings, mode: str | None = None,
                     model_gate_pct: float | None = None) -> LoopConfig:
    """The loop's config; `mode` (backtest, paper, live) defaults to `trading.mode`."""
    timing, trading = settings.timing, settings.trading
    return LoopConfig(
        thresholds=signal_thresholds_from(settings, model_gate_pct), exit_policy=exit_policy_from(settings),
        mode=mode or trading.mode, quote_asset=trading.quote_asset, symbols=tuple(trading.symbols),
        scan_interval_ms=round(timing.scan_interval_seconds * 1000),
        top_candidates=settings.scanner.top_candidates, max_symbols_active=trading.max_symbols_active,
        stats_interval_ms=round(timing.stats_interval_seconds * 1000),
        universe_refresh_ms=round(settings.scanner.refresh_symbols_hours * HOUR_MS),
        execution=execution_config_from(settings),
        recovery=recovery_config_from(settings, mode or trading.mode),
        model_health=model_health_from(settings, mode or trading.mode))


def model_health_from(settings: Settings, mode: str) -> HealthBounds | None:
    """None (not watched) when disabled, and in backtests: a replay's trades must not depend on it."""
    health = settings.model_health
    if not health.enabled or mode == "backtest":
        return None
    return HealthBounds(min_trades=health.min_trades, window=health.window,
                        max_shortfall_pct=health.max_shortfall_pct, t_bound=health.t_bound,
                        psi_bound=health.psi_bound, drift_rows=health.drift_rows,
                        drift_sample_ms=round(health.drift_sample_seconds * 1000),
                        drift_features=tuple(health.drift_features))


def recovery_config_from(settings: Settings, mode: str) -> RecoveryConfig:
    state = settings.state
    return RecoveryConfig(naked_holdings=HoldingPolicy(state.naked_holdings),
                          unrecorded_holdings=HoldingPolicy(state.unrecorded_holdings),
                          orphan_orders=OrphanOrderPolicy(state.orphan_orders),
                          exchange_remembers=mode != "paper")
