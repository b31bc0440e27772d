"""Decisions are logged when new or changed, and repeats at most once a minute at INFO."""

from __future__ import annotations

from loguru import logger

from application.decision_log import DecisionLog


def capture() -> tuple[list[tuple[str, str]], int]:
    records: list[tuple[str, str]] = []
    sink = logger.add(lambda m: records.append((m.record["level"].name, m.record["message"])), level="DEBUG")
    return records, sink


def test_a_repeated_decision_goes_to_debug_until_it_changes_or_a_minute_passes() -> None:
    records, sink = capture()
    try:
        log = DecisionLog(repeat_ms=60_000)
        assert log.decision("risk:BTCUSDT", 0, "Risk rejected {}: {}", "BTCUSDT", "max open positions")
        repeat = log.decision("risk:BTCUSDT", 2_000, "Risk rejected {}: {}", "BTCUSDT", "max open positions")
        assert not repeat
        assert log.decision("risk:BTCUSDT", 4_000, "Risk rejected {}: {}", "BTCUSDT", "daily loss limit")
        assert log.decision("risk:ETHUSDT", 4_000, "Risk rejected {}: {}", "ETHUSDT", "daily loss limit")
        assert log.decision("risk:BTCUSDT", 64_000, "Risk rejected {}: {}", "BTCUSDT", "daily loss limit")
    finally:
        logger.remove(sink)
    assert [level for level, _ in records] == ["INFO", "DEBUG", "INFO", "INFO", "INFO"]
    assert records[2][1] == "Risk rejected BTCUSDT: daily loss limit"


def test_a_decision_whose_figures_change_at_every_repeat_is_named_by_what_stays_the_same() -> None:
    records, sink = capture()
    try:
        log = DecisionLog(repeat_ms=60_000)
        for seconds in (2, 4, 6):
            log.decision("risk:BTCUSDT", seconds * 1000, "cooldown: BTCUSDT exited {} s ago", seconds,
                         same_as="cooldown")
        log.decision("risk:BTCUSDT", 62_000, "cooldown: BTCUSDT exited {} s ago", 62, same_as="cooldown")
    finally:
        logger.remove(sink)
    assert [(level, message.split()[3]) for level, message in records] == [
        ("INFO", "2"), ("DEBUG", "4"), ("DEBUG", "6"), ("INFO", "62")]
