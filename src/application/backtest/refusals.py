"""Signals the risk book refused during a replay, by reason (the report counts them, issue 13).

Two places refuse a signal in a backtest, and both are recorded:
- the loop's own check of each signal (a RecordingRiskBook stands in for the container's RiskBook);
- the replay's probe: when the risk book would refuse any trade at a minute (kill switch, daily loss,
  open positions...), the replay does not show that minute's candidates to the loop; each candidate
  that passed the signal rules then counts as refused with the probe's reason, as live would refuse it.
The probe's own check is not a signal: `probing()` keeps it out of the list. A signal is counted once:
the loop skips its scan when no entry may open, and a second refusal of the same symbol at the same
instant (the loop refusing a candidate the probe already counted) is not recorded again.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import NamedTuple

from domain.risk import Rejected, RiskBook, RiskDecision, RiskLimits, TradeIntent

# (pattern at the start of the risk book's reason, kind, words for the report). domain/risk.py writes the
# reasons; a test walks each refusal the book can give so a new wording fails there, not here silently.
KINDS: tuple[tuple[str, str, str], ...] = (
    (r"kill switch", "kill_switch", "kill switch active"),
    (r"a position is already open", "pair_open", "a position already open on that pair"),
    (r"\d+ positions open", "max_open_positions", "maximum open positions reached"),
    (r"daily loss limit", "daily_loss_limit", "daily loss limit reached"),
    (r"\d+ trades today", "max_trades_per_day", "maximum trades a day reached"),
    (r"\d+ trades in the last 60 min", "max_trades_per_hour", "maximum trades an hour reached"),
    (r"no capital", "no_capital", "no capital left"),
    (r"size .* is below the minimum", "size_below_minimum",
     "position size below the exchange minimum (the account is too small for the pair)"),
    (r"a long needs", "bad_stop", "stop-loss not below the entry"),
)
CAPITAL_KINDS = frozenset({"size_below_minimum", "no_capital"})


def refusal_kind(reason: str) -> str:
    for pattern, kind, _ in KINDS:
        if re.match(pattern, reason):
            return kind
    return "other"


def kind_label(kind: str) -> str:
    return next((label for _, k, label in KINDS if k == kind), "other reasons")


class Refusal(NamedTuple):
    """One refused signal (a named tuple: a replay writes thousands, a frozen dataclass costs 3x more)."""

    time_ms: int
    symbol: str
    reason: str

    @property
    def kind(self) -> str:
        return refusal_kind(self.reason)


class RefusalLog:
    """The refusals of one replay, in time order; the probe's last reason is kept apart."""

    def __init__(self) -> None:
        self._rows: list[tuple[int, str, str]] = []  # (time_ms, symbol, reason): Refusals when read
        self.probe_reason: str | None = None
        self._probing = False
        self._instant, self._counted = -1, set[str]()  # the symbols refused at the latest instant

    def record(self, time_ms: int, symbol: str, reason: str) -> None:
        if self._probing:
            self.probe_reason = reason
            return
        if time_ms != self._instant:
            self._instant, self._counted = time_ms, {symbol}
            self._rows.append((time_ms, symbol, reason))
        elif symbol not in self._counted:
            self._counted.add(symbol)
            self._rows.append((time_ms, symbol, reason))

    @property
    def refusals(self) -> list[Refusal]:
        """Every refusal recorded, in time order (made when read: a replay writes thousands)."""
        return list(map(Refusal._make, self._rows))

    def probing(self) -> RefusalLog:
        """`with log.probing():` checks made inside are questions, not signals: their reason goes to
        `probe_reason` only (asked every minute a replay acts: no generator-based context manager)."""
        self._probing, self.probe_reason = True, None
        return self

    def __enter__(self) -> RefusalLog:
        return self

    def __exit__(self, *_exc: object) -> None:
        self._probing = False


class RecordingRiskBook(RiskBook):
    """The container's RiskBook, deciding exactly the same, that also writes each refusal to a log."""

    def __init__(self, limits: RiskLimits, log: RefusalLog) -> None:
        super().__init__(limits)
        self.log = log

    def check(self, intent: TradeIntent, now_ms: int, capital: float,
              open_symbols: Collection[str]) -> RiskDecision:
        decision = super().check(intent, now_ms, capital, open_symbols)
        if isinstance(decision, Rejected):
            self.log.record(now_ms, intent.symbol, decision.reason)
        return decision
