"""Capture loguru records into a list, so tests can assert what the bot says and why."""

from __future__ import annotations

from typing import Any


class Logs(list[dict[str, Any]]):
    def messages(self, level: str | None = None) -> list[str]:
        return [r["message"] for r in self if level is None or r["level"].name == level]

    def having(self, text: str, level: str | None = None) -> list[dict[str, Any]]:
        return [r for r in self if text in r["message"] and (level is None or r["level"].name == level)]
