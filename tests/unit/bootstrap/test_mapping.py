"""The loop's config is built from the real settings, units converted once, through the container's
mappings (one place turns settings into thresholds, exit policy and risk limits)."""

from __future__ import annotations

from pathlib import Path

from application.trading_config import HoldingPolicy, OrphanOrderPolicy
from bootstrap.mapping import (
    exit_policy_from,
    loop_config_from,
    risk_limits_from,
    signal_thresholds_from,
    state_path,
)
from bootstrap.settings_model import Settings


def test_loop_config_from_converts_units_and_switches() -> None:
    settings = Settings.model_validate({
        "risk": {"trailing_stop_enabled": True, "default_stop_loss_pct": 0.005},
        "signal": {"ev_gate_enabled": False},
        "timing": {"scan_interval_seconds": 1.5, "position_timeout_seconds": 120,
                   "stats_interval_seconds": 30},
        "execution": {"bnb_fee_discount": True, "maker_entry_timeout_seconds": 7.5, "maker_entries": True,
                      "maker_take_profit": False},
        "scanner": {"refresh_symbols_hours": 0.5, "top_candidates": 7},
        "trading": {"max_symbols_active": 3},
    })
    config = loop_config_from(settings)
    assert config.scan_interval_ms == 1_500 and config.exit_policy.timeout_sec == 120
    assert config.stats_interval_ms == 30_000 and config.universe_refresh_ms == 1_800_000
    assert config.top_candidates == 7 and config.max_symbols_active == 3
    assert config.thresholds.min_expected_net_return_percent is None  # EV gate off
    assert config.thresholds.stop_loss_pct == config.exit_policy.stop_loss_pct == 0.005
    assert config.exit_policy.trailing_activation_pct == settings.risk.trailing_activation_pct
    assert config.execution.taker_fee_rate == settings.execution.fees.effective_taker < 0.001
    assert config.execution.maker_entry_timeout_ms == 7_500 and config.execution.maker_entries
    assert not config.execution.maker_take_profit
    assert config.mode == settings.trading.mode and config.symbols == tuple(settings.trading.symbols)


def test_the_loop_uses_the_containers_mappings() -> None:
    settings = Settings.model_validate({"signal": {"min_probability": 0.8},
                                        "risk": {"max_open_positions": 2}})
    config = loop_config_from(settings)
    assert config.thresholds == signal_thresholds_from(settings)
    assert config.exit_policy == exit_policy_from(settings)
    assert config.thresholds.min_probability == 0.8


def test_the_mode_can_be_set_for_the_run() -> None:
    assert loop_config_from(Settings(), "backtest").mode == "backtest"
    assert loop_config_from(Settings()).mode == Settings().trading.mode


def test_defaults_keep_the_ev_gate_and_no_trailing() -> None:
    settings = Settings()
    config = loop_config_from(settings)
    assert config.thresholds.min_expected_net_return_percent == settings.signal.min_expected_net_return_pct
    assert config.exit_policy.trailing_activation_pct is None
    limits = risk_limits_from(settings)
    assert limits.max_drawdown_pct == settings.risk.max_drawdown_pct
    assert limits.max_open_positions == settings.risk.max_open_positions


def test_the_cooldown_is_five_minutes_by_default_in_milliseconds_and_zero_turns_it_off() -> None:
    assert risk_limits_from(Settings()).cooldown_ms == 300_000
    assert risk_limits_from(Settings.model_validate({"risk": {"cooldown_seconds": 0}})).cooldown_ms == 0
    assert risk_limits_from(Settings.model_validate({"risk": {"cooldown_seconds": 45}})).cooldown_ms == 45_000


def test_one_state_file_per_mode_and_account_never_named_by_the_key() -> None:
    key = "K" * 64
    one = Settings.model_validate({"binance": {"testnet": False, "api_key": key, "api_secret": "s"},
                                   "state": {"dir": "st", "naked_holdings": "sell",
                                             "orphan_orders": "cancel"}})
    other = Settings.model_validate({"binance": {"testnet": False, "api_key": "L" * 64, "api_secret": "s"}})
    assert state_path(one, "paper") == Path("st/paper.sqlite") and state_path(one, "backtest") is None
    live = state_path(one, "live")
    assert live is not None and live.parent == Path("st") and live.name.startswith("live-")
    assert key not in str(live) and live.name != (state_path(other, "live") or live).name
    recovery = loop_config_from(one, "live").recovery
    assert recovery.naked_holdings is HoldingPolicy.SELL
    assert recovery.orphan_orders is OrphanOrderPolicy.CANCEL
    assert recovery.exchange_remembers and not loop_config_from(one, "paper").recovery.exchange_remembers


def test_the_model_is_watched_in_paper_and_live_never_in_backtests() -> None:
    settings = Settings.model_validate({"model_health": {
        "min_trades": 30, "window": 60, "max_shortfall_pct": 0.2, "t_bound": 2.5, "psi_bound": 0.3,
        "drift_rows": 200, "drift_sample_seconds": 30, "drift_features": ["rsi_14"]}})
    bounds = loop_config_from(settings, "live").model_health
    assert bounds is not None and loop_config_from(settings, "paper").model_health == bounds
    assert (bounds.min_trades, bounds.window, bounds.max_shortfall_pct, bounds.t_bound, bounds.psi_bound) == (
        30, 60, 0.2, 2.5, 0.3)
    assert (bounds.drift_rows, bounds.drift_sample_ms, bounds.drift_features) == (200, 30_000, ("rsi_14",))
    assert loop_config_from(settings, "backtest").model_health is None
    off = Settings.model_validate({"model_health": {"enabled": False}})
    assert loop_config_from(off, "live").model_health is None
