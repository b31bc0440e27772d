"""Settings -> values for the research wing (the lab's gate, retraining, the compiled core): the other
half of the mapping package, the one home of every Settings conversion."""

from __future__ import annotations

import math

from bootstrap.mapping import (
    backtest_simulator_costs,
    execution_config_from,
    exit_policy_from,
    risk_limits_from,
)
from bootstrap.settings_model import Settings
from domain.lab_gate import GateThresholds
from domain.research_core import CoreSettings
from domain.time_units import HOUR_MS


def lab_gate_thresholds(settings: Settings) -> GateThresholds:
    """research.gate.* -> what a model's out-of-time evidence must clear before its EV gate opens."""
    gate = settings.research.gate
    return GateThresholds(min_deflated_sharpe=gate.min_dsr, max_pbo=gate.max_pbo)


def retrain_window_ms(settings: Settings) -> tuple[int, int, int]:
    """research.retrain.* -> (training window, test window, embargo), milliseconds."""
    r = settings.research.retrain
    return round(r.train_days * 24 * HOUR_MS), round(r.test_days * 24 * HOUR_MS), r.embargo_minutes * 60_000


def core_settings_from(settings: Settings) -> CoreSettings:
    """The loop's settings as the research core takes them (domain.research_core): a backtest's."""
    execution, policy = execution_config_from(settings), exit_policy_from(settings)
    limits, costs = risk_limits_from(settings), backtest_simulator_costs(settings)
    trailing = policy.trailing_activation_pct
    return CoreSettings(
        take_profit_pct=policy.take_profit_pct, stop_loss_pct=policy.stop_loss_pct,
        timeout_ms=policy.timeout_sec * 1000,
        trailing_activation_pct=math.nan if trailing is None else trailing,
        trailing_distance_pct=policy.trailing_distance_pct, min_hold_ms=policy.min_hold_sec * 1000,
        taker_fee=float(costs.taker_fee), maker_fee=float(costs.maker_fee),
        maker_take_profit=execution.maker_take_profit, slippage=float(costs.slippage_bps) / 10_000,
        latency_ms=costs.latency_ms, initial_capital=limits.initial_capital,
        max_position_pct=limits.max_position_pct, min_position_usdt=limits.min_position_usdt,
        max_loss_per_trade_pct=limits.max_loss_per_trade_pct, max_daily_loss_pct=limits.max_daily_loss_pct,
        max_drawdown_pct=limits.max_drawdown_pct, max_open_positions=limits.max_open_positions,
        max_trades_per_hour=limits.max_trades_per_hour, max_trades_per_day=limits.max_trades_per_day,
        cooldown_ms=limits.cooldown_ms, top_candidates=settings.scanner.top_candidates,
        max_symbols_active=settings.trading.max_symbols_active,
        entry_fill_band_pct=execution.entry_fill_band_pct,
        bar_grace_ms=1_000 + costs.latency_ms + costs.latency_jitter_ms,
        maker_entries=execution.maker_entries,  # a LIMIT_MAKER buy pays the maker rate
        entry_fee=float(costs.maker_fee) if execution.maker_entries else None)
