"""configure_logging: the spec 4.8 line, bound context rendered, file and console, no variable dumps."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from loguru import logger

from bootstrap.logging import configure_logging
from bootstrap.settings_model import LoggingSettings

LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} \| (?P<level>[A-Z]+) *\| (?P<rest>.*)$")


@pytest.fixture(autouse=True)
def restore_loguru() -> Iterator[None]:
    yield
    logger.remove()
    logger.add(sys.stderr)


def file_settings(tmp_path: Path, level: str = "INFO") -> LoggingSettings:
    return LoggingSettings.model_validate(
        {"level": level, "file_enabled": True, "file_path": tmp_path / "logs" / "bot.log"})


def test_the_spec_format_with_bound_context_in_the_file(tmp_path: Path) -> None:
    settings = file_settings(tmp_path)
    configure_logging(settings)
    logger.bind(symbol="BTCUSDT", mode="paper").info("Position opened: BTCUSDT BUY 0.00025 @ 42150.00")
    logger.info("Stats: trades=0")
    lines = settings.file_path.read_text(encoding="utf-8").splitlines()
    first, second = (LINE.match(line) for line in lines)
    assert first is not None and second is not None
    assert first["level"] == "INFO"
    assert first["rest"] == "Position opened: BTCUSDT BUY 0.00025 @ 42150.00 | symbol=BTCUSDT mode=paper"
    assert second["rest"] == "Stats: trades=0"


def test_the_console_gets_the_same_line(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(LoggingSettings(file_enabled=False))
    logger.bind(symbol="ETHUSDT").warning("Position timeout: closed after {}s", 300)
    [line] = capsys.readouterr().err.splitlines()
    match = LINE.match(line)
    assert match is not None and match["level"] == "WARNING"
    assert match["rest"] == "Position timeout: closed after 300s | symbol=ETHUSDT"


def test_braces_in_bound_values_do_not_break_the_line(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(LoggingSettings(file_enabled=False))
    logger.bind(error="{'code': -1013}").error("Order failed")
    assert capsys.readouterr().err.rstrip().endswith("| Order failed | error={'code': -1013}")


def test_the_level_filters(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(LoggingSettings(level="WARNING", file_enabled=False))
    logger.info("hidden")
    logger.critical("KILL SWITCH")
    err = capsys.readouterr().err
    assert "hidden" not in err and "| CRITICAL | KILL SWITCH" in err


def test_a_traceback_is_logged_without_local_values(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(LoggingSettings(file_enabled=False))
    api_secret = "s3cr3t-value"
    try:
        raise RuntimeError("signing failed for " + str(len(api_secret)) + " chars")
    except RuntimeError:
        logger.exception("order failed")
    err = capsys.readouterr().err
    assert "RuntimeError: signing failed" in err and "Traceback" in err
    assert "s3cr3t-value" not in err


def test_configuring_twice_keeps_one_set_of_handlers(tmp_path: Path) -> None:
    settings = file_settings(tmp_path)
    configure_logging(settings)
    configure_logging(settings)
    logger.info("once")
    assert settings.file_path.read_text(encoding="utf-8").count("once") == 1
