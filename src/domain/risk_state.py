"""The risk book's state (domain/risk.py decides with it): counters, peak equity, the kill switch, the day
it rolls at and the snapshot a restart reads back. Pure: no I/O, no clock (time arrives as UTC ms).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Mapping
from typing import Any, Self

from domain.risk_values import RiskLimits
from domain.time_units import DAY_MS, HOUR_MS

SNAPSHOT_VERSION = 2  # 2 adds realised_pnl; a version 1 snapshot reads as 0 realised


class RiskState:
    """What the risk book remembers, and the questions it answers about it."""

    def __init__(self, limits: RiskLimits) -> None:
        self.limits = limits
        self._peak_equity = limits.initial_capital
        self._last_equity = limits.initial_capital
        self._kill_reason: str | None = None
        self._day: int | None = None
        self._day_ends_ms: float = -math.inf  # the instant `_roll` starts the next day: set with `_day`
        self._day_start_capital = limits.initial_capital
        self._day_pnl = 0.0
        self._day_trades = 0
        self._entries_ms: list[int] = []  # entry times within the last hour, sorted
        self._exits_ms: dict[str, int] = {}  # last exit time of each pair (the cooldown)
        self._realised_pnl = 0.0  # every trade closed since the start of this book

    # -- queries ------------------------------------------------------------------------------------
    @property
    def kill_switch_active(self) -> bool:
        return self._kill_reason is not None

    @property
    def kill_switch_reason(self) -> str | None:
        return self._kill_reason

    @property
    def capital(self) -> float:
        """The capital the book manages: initial_capital plus the realised PnL of every trade."""
        return self.limits.initial_capital + self._realised_pnl

    @property
    def realised_pnl(self) -> float:
        return self._realised_pnl

    @property
    def last_equity(self) -> float:
        return self._last_equity

    @property
    def peak_equity(self) -> float:
        return self._peak_equity

    @property
    def drawdown(self) -> float:
        """Fraction below the peak of the last equity seen."""
        if self._peak_equity <= 0:
            return 1.0
        return max(0.0, (self._peak_equity - self._last_equity) / self._peak_equity)

    def daily_pnl(self, now_ms: int) -> float:
        """Realised net PnL (USDT) of the trades closed in the current UTC day."""
        self._roll(now_ms)
        return self._day_pnl

    def day_start_capital(self, now_ms: int) -> float:
        self._roll(now_ms)
        return self._day_start_capital

    def trades_today(self, now_ms: int) -> int:
        self._roll(now_ms)
        return self._day_trades

    def trades_last_hour(self, now_ms: int) -> int:
        return self._trades_last_hour(now_ms)

    def _trades_last_hour(self, now_ms: int) -> int:
        """Entries in the sliding window (now - 60 min, now]. Asked at every entry check: the searches
        run only when the window has an entry to drop or one after `now_ms`."""
        entries = self._entries_ms
        if not entries:
            return 0
        if entries[0] <= now_ms - HOUR_MS:
            del entries[:bisect.bisect_right(entries, now_ms - HOUR_MS)]
        if not entries or entries[-1] <= now_ms:
            return len(entries)
        return bisect.bisect_right(entries, now_ms)

    def _roll(self, now_ms: int) -> None:
        """Start a new UTC day's counters when `now_ms` is past the current one (or none started yet):
        `now_ms // DAY_MS > _day` as one comparison (asked at every check)."""
        if now_ms >= self._day_ends_ms:
            day = now_ms // DAY_MS
            self._day_start_capital = self._last_equity
            self._day, self._day_pnl, self._day_trades = day, 0.0, 0
            self._day_ends_ms = (day + 1) * DAY_MS

    # -- persistence --------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """JSON-ready state, so a restart keeps today's counters, the peak and the kill switch."""
        return {"version": SNAPSHOT_VERSION, "peak_equity": self._peak_equity,
                "last_equity": self._last_equity, "kill_switch_reason": self._kill_reason, "day": self._day,
                "day_start_capital": self._day_start_capital, "day_pnl": self._day_pnl,
                "day_trades": self._day_trades, "entries_ms": list(self._entries_ms),
                "exits_ms": dict(self._exits_ms), "realised_pnl": self._realised_pnl}

    @classmethod
    def from_dict(cls, limits: RiskLimits, data: Mapping[str, Any]) -> Self:
        """Rebuild from `to_dict()`; a snapshot of a past day rolls over at the next call, as it should."""
        book = cls(limits)
        book.restore(data)
        return book

    def restore(self, data: Mapping[str, Any]) -> None:
        """Take the state of a `to_dict()` snapshot in place (the loop's use cases hold this book)."""
        if data.get("version") not in (1, SNAPSHOT_VERSION):
            raise ValueError(f"risk snapshot version {data.get('version')!r} is not {SNAPSHOT_VERSION}")
        try:
            peak, last = float(data["peak_equity"]), float(data["last_equity"])
            reason = data["kill_switch_reason"]
            day = None if data["day"] is None else int(data["day"])
            day_start, day_pnl = float(data["day_start_capital"]), float(data["day_pnl"])
            day_trades = int(data["day_trades"])
            entries = sorted(int(t) for t in data["entries_ms"])
            exits = {str(s): int(t) for s, t in data.get("exits_ms", {}).items()}  # older snapshots: none
            realised = float(data.get("realised_pnl", 0.0))
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"risk snapshot is malformed: {exc!r}") from None
        self._peak_equity, self._last_equity = peak, last
        self._kill_reason = None if reason is None else str(reason)
        self._day, self._day_start_capital = day, day_start
        self._day_ends_ms = -math.inf if day is None else (day + 1) * DAY_MS
        self._day_pnl, self._day_trades = day_pnl, day_trades
        self._entries_ms, self._exits_ms, self._realised_pnl = entries, exits, realised
