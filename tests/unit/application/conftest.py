"""Capture loguru records into a list, so tests can assert what the bot says and why."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

import pytest
from loguru import logger


class Logs(list[dict[str, Any]]):
    def messages(self, level: str | None = None) -> list[str]:
        return [r["message"] for r in self if level is None or r["level"].name == level]

    def having(self, text: str, level: str | None = None) -> list[dict[str, Any]]:
        return [r for r in self if text in r["message"] and (level is None or r["level"].name == level)]


@pytest.fixture
def logs() -> Iterator[Logs]:
    records = Logs()
    sink = logger.add(lambda message: records.append(cast(dict[str, Any], message.record)), level="DEBUG",
                      format="{message}")
    yield records
    logger.remove(sink)
