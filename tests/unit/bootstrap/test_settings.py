"""load_settings: defaults, YAML, .env and environment layers; every bad value is one clear line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bootstrap.settings import SettingsError, load_settings
from bootstrap.settings_model import Settings

pytestmark = pytest.mark.real_defaults  # these test config/default.yaml itself (tests/conftest.py)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "my.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def load(path: Path | None = None, environ: dict[str, str] | None = None,
         env_file: Path | None = None) -> Settings:
    return load_settings(path, environ=environ or {}, env_file=env_file)


def config_error(tmp_path: Path, yaml_text: str) -> str:
    with pytest.raises(SettingsError) as caught:
        load(write(tmp_path, yaml_text))
    message = str(caught.value)
    assert "\n" not in message and message.startswith("config error")
    return message


def test_the_default_file_gives_the_spec_values() -> None:
    settings = load()
    risk = settings.risk
    assert (risk.initial_capital, risk.max_position_pct, risk.min_position_usdt) == (30.0, 0.20, 5.0)
    assert (risk.max_loss_per_trade_pct, risk.max_daily_loss_pct, risk.max_drawdown_pct) == (0.02, 0.10, 0.25)
    assert (risk.max_open_positions, risk.max_trades_per_hour, risk.max_trades_per_day) == (1, 20, 100)
    assert settings.signal.min_probability == 0.65 and settings.timing.position_timeout_seconds == 300


def test_the_default_file_matches_the_model_defaults() -> None:
    assert load() == Settings()


def test_a_user_file_is_merged_over_the_defaults(tmp_path: Path) -> None:
    settings = load(write(tmp_path, "risk:\n  max_open_positions: 2\n"))
    assert settings.risk.max_open_positions == 2
    assert settings.risk.max_drawdown_pct == 0.25  # untouched keys keep their default


def test_max_drawdown_above_one_is_refused(tmp_path: Path) -> None:
    message = config_error(tmp_path, "risk:\n  max_drawdown_pct: 1.5\n")
    assert "risk.max_drawdown_pct = 1.5" in message and "less than 1" in message


def test_an_unknown_key_is_named(tmp_path: Path) -> None:
    message = config_error(tmp_path, "risk:\n  max_drawdwn_pct: 0.2\n")
    assert "unknown key risk.max_drawdwn_pct" in message


def test_an_unknown_section_is_named(tmp_path: Path) -> None:
    assert "unknown key riks" in config_error(tmp_path, "riks:\n  a: 1\n")


@pytest.mark.parametrize(("yaml_text", "expected"), [
    ("risk:\n  max_open_positions: two\n", "risk.max_open_positions = 'two'"),
    ("risk:\n  max_open_positions: 1.5\n", "risk.max_open_positions = 1.5"),
    ("risk:\n  max_position_pct: true\n", "risk.max_position_pct = True: expected a number"),
    ("risk: 5\n", "risk = 5"),
    ("trading:\n  mode: yolo\n", "trading.mode = 'yolo'"),
])
def test_a_wrong_type_is_named(tmp_path: Path, yaml_text: str, expected: str) -> None:
    assert expected in config_error(tmp_path, yaml_text)


def test_a_take_profit_below_the_round_trip_fee_is_refused(tmp_path: Path) -> None:
    message = config_error(tmp_path, "risk:\n  default_take_profit_pct: 0.0015\n")
    assert "risk.default_take_profit_pct = 0.0015" in message and "round-trip fee 0.0020" in message


def test_the_fee_check_follows_the_bnb_discount(tmp_path: Path) -> None:
    discounted = "execution:\n  bnb_fee_discount: true\nrisk:\n  default_take_profit_pct: {}\n"
    assert "round-trip fee 0.0015" in config_error(tmp_path, discounted.format(0.0015))
    assert load(write(tmp_path, discounted.format(0.0016))).risk.default_take_profit_pct == 0.0016


def test_a_daily_loss_limit_above_the_drawdown_limit_is_refused(tmp_path: Path) -> None:
    message = config_error(tmp_path, "risk:\n  max_daily_loss_pct: 0.3\n")
    assert "risk.max_daily_loss_pct = 0.3" in message


def test_environment_overrides_use_natural_types() -> None:
    settings = load(environ={"CRYPTOSCALPER__RISK__MAX_OPEN_POSITIONS": "3",
                             "CRYPTOSCALPER__SIGNAL__EV_GATE_ENABLED": "false", "TRADING_MODE": "live",
                             "BINANCE_TESTNET": "false", "UNRELATED": "x"})
    assert settings.risk.max_open_positions == 3 and settings.signal.ev_gate_enabled is False
    assert settings.trading.mode == "live" and settings.binance.testnet is False


def test_an_environment_value_yaml_cannot_parse_is_a_settings_error() -> None:
    with pytest.raises(SettingsError, match=r"risk\.max_open_positions"):
        load(environ={"CRYPTOSCALPER__RISK__MAX_OPEN_POSITIONS": "[1"})


def test_an_env_file_is_read_and_the_process_environment_wins(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("BINANCE_API_KEY=from-file\nCRYPTOSCALPER__RISK__MAX_OPEN_POSITIONS=2\n")
    settings = load(environ={"CRYPTOSCALPER__RISK__MAX_OPEN_POSITIONS": "4"}, env_file=env_file)
    assert settings.binance.api_key is not None
    assert settings.binance.api_key.get_secret_value() == "from-file"
    assert settings.risk.max_open_positions == 4


def test_secrets_never_show_in_the_settings_or_in_an_error(tmp_path: Path) -> None:
    settings = load(environ={"BINANCE_API_SECRET": "s3cr3t-value"})
    assert "s3cr3t-value" not in repr(settings) and "s3cr3t-value" not in str(settings.model_dump())
    message = config_error(tmp_path, "binance:\n  api_key: [s3cr3t-value]\n")
    assert "binance.api_key" in message and "s3cr3t-value" not in message


@pytest.mark.parametrize(("content", "expected"), [
    ("risk: [unclosed\n", "not valid YAML"),
    ("- a\n- b\n", "must hold a mapping"),
])
def test_a_broken_file_is_one_line(tmp_path: Path, content: str, expected: str) -> None:
    with pytest.raises(SettingsError, match=expected) as caught:
        load(write(tmp_path, content))
    assert "\n" not in str(caught.value)


def test_a_missing_or_unreadable_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="not found"):
        load(tmp_path / "nope.yaml")
    with pytest.raises(SettingsError, match="cannot be read"):
        load(tmp_path)  # a folder


def test_an_empty_file_means_the_defaults(tmp_path: Path) -> None:
    assert load(write(tmp_path, "")) == Settings()


def test_a_misspelt_key_gets_a_did_you_mean(tmp_path: Path) -> None:
    message = config_error(tmp_path, "risk:\n  max_drawdwn_pct: 0.2\n")
    assert "did you mean risk.max_drawdown_pct?" in message
    assert "did you mean risk?" in config_error(tmp_path, "riks:\n  a: 1\n")


def test_a_misspelt_binance_key_never_echoes_its_value(tmp_path: Path) -> None:
    message = config_error(tmp_path, "binance:\n  api_kee: SECRET-VALUE\n")
    assert "binance.api_kee" in message and "did you mean binance.api_key?" in message
    assert "SECRET-VALUE" not in message
    assert "NOT-SHOWN" not in config_error(tmp_path, "binance:\n  recv_window: NOT-SHOWN\n")


@pytest.mark.parametrize("yaml_text", [
    "risk:\n  initial_capital: .inf\n", "execution:\n  slippage_bps: .inf\n",
    "risk:\n  max_position_pct: .nan\n", "timing:\n  scan_interval_seconds: .inf\n",
])
def test_infinite_and_nan_floats_are_refused(tmp_path: Path, yaml_text: str) -> None:
    section, key = yaml_text.split(":")[0], yaml_text.split("\n")[1].split(":")[0].strip()
    message = config_error(tmp_path, yaml_text)
    assert f"{section}.{key}" in message and "finite number" in message


def test_a_rotation_loguru_cannot_read_is_refused_at_load(tmp_path: Path) -> None:
    message = config_error(tmp_path, "logging:\n  rotation: banana\n")
    assert "logging.rotation = 'banana'" in message and "loguru cannot read it" in message
    assert "logging.retention" in config_error(tmp_path, "logging:\n  retention: forever-ish\n")
    fine = load(write(tmp_path, "logging:\n  rotation: 1 day\n  retention: 3 days\n"))
    assert fine.logging.rotation == "1 day"


def test_a_yaml_error_names_its_line_and_column(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as caught:
        load(write(tmp_path, "risk:\n  max_open_positions: 1\n  bad: [unclosed\n"))
    message = str(caught.value)
    assert "\n" not in message and "line 4, column 1" in message, message


def test_live_is_production_by_default() -> None:
    assert load().binance.testnet is False


def test_pairs_with_a_slash_are_binance_symbols(tmp_path: Path) -> None:
    text = "trading:\n  symbols: [BTC/USDT, eth-usdt]\nbacktest:\n  symbols: [SOL/USDT]\n"
    settings = load(write(tmp_path, text))
    assert settings.trading.symbols == ["BTCUSDT", "ETHUSDT"] and settings.backtest.symbols == ["SOLUSDT"]


def test_environment_values_are_yaml_typed_except_secrets() -> None:
    settings = load(environ={"CRYPTOSCALPER__TRADING__SYMBOLS": "[BTC/USDT, ETHUSDT]",
                             "CRYPTOSCALPER__BINANCE__API_KEY": "12345"})
    assert settings.trading.symbols == ["BTCUSDT", "ETHUSDT"]
    assert settings.binance.api_key is not None and settings.binance.api_key.get_secret_value() == "12345"


def test_a_misspelt_environment_section_is_named() -> None:
    with pytest.raises(SettingsError, match=r"unknown section riks .* CRYPTOSCALPER__RIKS__A; did you mean "):
        load(environ={"CRYPTOSCALPER__RIKS__A": "1"})


def test_layers_are_merged_key_by_key_in_order(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("CRYPTOSCALPER__RISK__MAX_TRADES_PER_HOUR=7\nCRYPTOSCALPER__RISK__MAX_OPEN_POSITIONS=2\n")
    config = write(tmp_path, "risk:\n  max_open_positions: 5\n  max_trades_per_day: 50\n")
    settings = load_settings(config, environ={"CRYPTOSCALPER__RISK__MAX_TRADES_PER_HOUR": "9"},
                             env_file=env_file, overrides={"risk": {"max_trades_per_day": 40}})
    risk = settings.risk
    assert (risk.max_open_positions, risk.max_trades_per_hour, risk.max_trades_per_day) == (2, 9, 40)
    assert risk.max_drawdown_pct == 0.25 and type(settings) is Settings
