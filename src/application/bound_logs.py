"""Loggers bound to a symbol, built once per symbol: loguru's `bind` makes a new logger on every call, and
the hot paths (each entry, exit, dust lot and decision) log about the same few symbols over and over.

A bound logger shares loguru's core, so handlers added or removed later still apply to it.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from loguru import logger

if TYPE_CHECKING:
    from loguru import Logger


@cache
def symbol_log(symbol: str, mode: str) -> Logger:
    """`logger.bind(symbol=symbol, mode=mode)`, the same object every time."""
    return logger.bind(symbol=symbol, mode=mode)


class BoundLogs:
    """`log.bind(symbol=symbol)` per symbol, kept: for a use case holding its own bound logger."""

    def __init__(self, log: Logger) -> None:
        self._log = log
        self._by_symbol: dict[str, Logger] = {}

    def __call__(self, symbol: str) -> Logger:
        bound = self._by_symbol.get(symbol)
        if bound is None:
            bound = self._by_symbol[symbol] = self._log.bind(symbol=symbol)
        return bound
