"""The loop's config is built from the real settings, units converted once."""

from __future__ import annotations

from application.trading_config import loop_config_from_settings, risk_limits_from_settings
from bootstrap.settings_model import Settings


def test_loop_config_from_settings_converts_units_and_switches() -> None:
    settings = Settings.model_validate({
        "risk": {"trailing_stop_enabled": True, "default_stop_loss_pct": 0.005},
        "signal": {"ev_gate_enabled": False},
        "timing": {"scan_interval_seconds": 1.5, "position_timeout_seconds": 120},
        "execution": {"bnb_fee_discount": True, "maker_entry_timeout_seconds": 7.5},
    })
    config = loop_config_from_settings(settings)
    assert config.scan_interval_ms == 1_500 and config.exit_policy.timeout_sec == 120
    assert config.thresholds.min_expected_net_return_pct is None  # EV gate off
    assert config.thresholds.stop_loss_pct == config.exit_policy.stop_loss_pct == 0.005
    assert config.exit_policy.trailing_activation_pct == settings.risk.trailing_activation_pct
    assert config.execution.taker_fee_rate == settings.execution.effective_taker_fee < 0.001
    assert config.execution.maker_entry_timeout_ms == 7_500
    assert config.mode == settings.trading.mode and config.symbols == tuple(settings.trading.symbols)


def test_defaults_keep_the_ev_gate_and_no_trailing() -> None:
    settings = Settings()
    config = loop_config_from_settings(settings)
    assert config.thresholds.min_expected_net_return_pct == settings.signal.min_expected_net_return_pct
    assert config.exit_policy.trailing_activation_pct is None
    limits = risk_limits_from_settings(settings)
    assert limits.max_drawdown_pct == settings.risk.max_drawdown_pct
    assert limits.max_open_positions == settings.risk.max_open_positions
