"""Decision logging without flooding: a decision is logged at INFO when it is new or changed, and again
at most once per `repeat_ms` while it stays the same; identical repeats in between go to DEBUG.

The loop re-decides every scan interval (2 s by default): the same "risk rejected BTCUSDT: max open
positions" would otherwise fill 40,000 lines a day and bury the decisions that matter.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from loguru import logger


class DecisionLog:
    def __init__(self, log: Any = logger, *, repeat_ms: int = 60_000) -> None:
        self._log = log
        self._repeat_ms = repeat_ms
        self._last: dict[str, tuple[str, int]] = {}
        self.recent: deque[tuple[int, str, str]] = deque(maxlen=50)  # (time, key, text) said at INFO
        self._bound: dict[str, Any] = {}  # the logger bound to each symbol, kept

    def decision(self, key: str, now_ms: int, message: str, *args: Any, same_as: str | None = None,
                 symbol: str | None = None) -> bool:
        """Log one decision under `key` (e.g. "risk:BTCUSDT"); True when it went out at INFO. `same_as`
        names the decision when its text changes at every repeat (a cooldown's elapsed seconds);
        `symbol`, the pair it is about (bound to the log line)."""
        text = message.format(*args)
        identity = text if same_as is None else same_as
        previous = self._last.get(key)
        log = self._log if symbol is None else self._bound_to(symbol)
        if previous is not None and previous[0] == identity and now_ms - previous[1] < self._repeat_ms:
            log.debug(text)
            return False
        self._last[key] = (identity, now_ms)
        self.recent.append((now_ms, key, text))
        log.info(text)
        return True

    def _bound_to(self, symbol: str) -> Any:
        log = self._bound.get(symbol)
        if log is None:
            log = self._bound[symbol] = self._log.bind(symbol=symbol)
        return log
