"""The console's settings: its token from the environment, refusals in one line, the venue's label."""

from __future__ import annotations

from pathlib import Path

import pytest

from bootstrap import mapping
from bootstrap.settings import SettingsError, load_settings
from bootstrap.settings_model import Settings
from ports.errors import ConfigurationError


def settings(tmp_path: Path, yaml: str, **environ: str) -> Settings:
    config = tmp_path / "c.yaml"
    config.write_text(yaml, encoding="utf-8")
    return load_settings(config, environ=environ, env_file=None)


def test_off_by_default_and_on_with_its_token_from_the_environment(tmp_path: Path) -> None:
    assert mapping.console_config_from(settings(tmp_path, "")) is None
    on = settings(tmp_path, "console: {enabled: true, port: 9999, notifications: {urls: ['json://127.0.0.1/x']}}",
                  CRYPTOSCALPER_CONSOLE_TOKEN="s3cret")
    config = mapping.console_config_from(on)
    assert config is not None and config.token.get_secret_value() == "s3cret"
    assert (config.host, config.port, config.telegram) == ("127.0.0.1", 9999, None)
    assert config.notify.urls[0].get_secret_value() == "json://127.0.0.1/x"
    assert "s3cret" not in repr(on) and "127.0.0.1/x" not in repr(on)


def test_on_without_a_token_or_telegram_without_its_chat_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="CRYPTOSCALPER_CONSOLE_TOKEN"):
        mapping.console_config_from(settings(tmp_path, "console: {enabled: true}"))
    telegram = settings(tmp_path, "console: {enabled: true, telegram: {enabled: true}}",
                        CRYPTOSCALPER_CONSOLE_TOKEN="t", TELEGRAM_BOT_TOKEN="1:abc")
    with pytest.raises(ConfigurationError, match="chat_id"):
        mapping.console_config_from(telegram)


def test_a_bad_token_value_is_named_but_never_shown(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as error:
        settings(tmp_path, "console: {token: [1, 2]}")
    assert "console.token" in str(error.value) and "<hidden>" in str(error.value)


@pytest.mark.parametrize(("mode", "testnet", "venue", "label"), [
    ("paper", True, None, "PAPER"), ("paper", True, "http://127.0.0.1:8765", "VENUE http://127.0.0.1:8765"),
    ("live", True, None, "TESTNET"), ("live", False, None, "PRODUCTION")])
def test_the_venue_label(mode: str, testnet: bool, venue: str | None, label: str) -> None:
    s = Settings().model_copy(update={"binance": Settings().binance.model_copy(update={"testnet": testnet})})
    assert mapping.venue_label(s, mode, venue) == label
