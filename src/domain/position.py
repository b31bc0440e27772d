"""An open long position, its exit rules, and the trade it becomes when closed."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum

from domain.fast_init import fast_frozen_init


class ExitReason(StrEnum):
    TP = "TP"
    SL = "SL"
    TRAILING = "TRAILING"
    TIMEOUT = "TIMEOUT"
    KILL_SWITCH = "KILL_SWITCH"
    MANUAL = "MANUAL"
    UNPROTECTED = "UNPROTECTED"  # its OCO was refused or vanished: sold at market at once


@fast_frozen_init
@dataclass(frozen=True, slots=True)
class ExitPolicy:
    """Exit rules of one position; fractions (0.003 = 0.3%), seconds."""

    take_profit_pct: float
    stop_loss_pct: float
    timeout_sec: int
    trailing_activation_pct: float | None = None  # trailing arms once the gain reaches this
    trailing_distance_pct: float = 0.0
    min_hold_sec: int = 0  # no discretionary exit (timeout/trailing) before this

    @property
    def hold_limit_sec(self) -> int:
        """The timeout, never before the minimum hold: max(timeout_sec, min_hold_sec)."""
        return max(self.timeout_sec, self.min_hold_sec)


@fast_frozen_init
@dataclass(frozen=True, slots=True)
class Position:
    symbol: str
    entry_price: float
    quantity: float
    entry_time_ms: int
    stop_loss_price: float
    take_profit_price: float
    entry_fee_usdt: float
    policy: ExitPolicy
    highest_price: float = 0.0
    trailing_stop_price: float | None = None
    oco_list_id: int = -1
    entry_order_id: int = 0
    score: float = 0.0
    # The model's promise at entry (percent; NaN unknown), watched by application/guard_model.py. Left out
    # of equality: NaN != NaN would make a position differ from its own stored copy.
    expected_net_return_pct: float = field(default=math.nan, compare=False)

    @property
    def cost_usdt(self) -> float:
        return self.entry_price * self.quantity

    def held_sec(self, now_ms: int) -> float:
        return (now_ms - self.entry_time_ms) / 1000

    def with_price(self, price: float) -> Position:
        """Trailing-stop update: once the gain reaches the activation level, the stop follows the highest
        price at `trailing_distance_pct` below it and never moves down."""
        highest = max(self.highest_price, self.entry_price, price)
        trailing = self.trailing_stop_price
        activation = self.policy.trailing_activation_pct
        if activation is not None and highest >= self.entry_price * (1 + activation):
            candidate = highest * (1 - self.policy.trailing_distance_pct)
            trailing = candidate if trailing is None else max(trailing, candidate)
        if highest == self.highest_price and trailing == self.trailing_stop_price:
            return self
        return self._copy(highest, trailing, self.oco_list_id)

    def without_oco(self) -> Position:
        """This position with no OCO protecting it any more (`oco_list_id` -1)."""
        return self if self.oco_list_id == -1 else \
            self._copy(self.highest_price, self.trailing_stop_price, -1)

    def _copy(self, highest: float, trailing: float | None, oco_list_id: int) -> Position:
        # `dataclasses.replace` with the fields spelled out: twice as fast, and a held position is copied
        # at every new high of every minute it is held.
        return Position(self.symbol, self.entry_price, self.quantity, self.entry_time_ms,
                        self.stop_loss_price, self.take_profit_price, self.entry_fee_usdt, self.policy,
                        highest, trailing, oco_list_id, self.entry_order_id, self.score,
                        self.expected_net_return_pct)

    def exit_due(self, now_ms: int, low: float, high: float | None = None) -> ExitReason | None:
        """Which exit fires for a price range seen since the last check. SL is assumed first when one
        range touches both stop and target (the conservative order); TP needs the high."""
        top = low if high is None else high
        if low <= self.stop_loss_price:
            return ExitReason.SL
        held_sec = (now_ms - self.entry_time_ms) / 1000  # held_sec(now_ms), asked every minute held
        if self.trailing_stop_price is not None and low <= self.trailing_stop_price \
                and held_sec >= self.policy.min_hold_sec:
            return ExitReason.TRAILING
        if top >= self.take_profit_price:
            return ExitReason.TP
        if held_sec >= self.policy.hold_limit_sec:
            return ExitReason.TIMEOUT
        return None

    def close(self, *, exit_price: float, exit_time_ms: int, exit_fee_usdt: float, reason: ExitReason,
              quantity: float | None = None) -> CompletedTrade:
        qty = self.quantity if quantity is None else quantity
        entry_fee = self.entry_fee_usdt * (qty / self.quantity if self.quantity else 1.0)
        return CompletedTrade(self.symbol, self.entry_price, exit_price, qty, self.entry_time_ms,
                              exit_time_ms, entry_fee + exit_fee_usdt, reason)


@fast_frozen_init
@dataclass(frozen=True, slots=True)
class CompletedTrade:
    symbol: str
    entry_price: float
    exit_price: float
    quantity: float
    entry_time_ms: int
    exit_time_ms: int
    fees_usdt: float
    exit_reason: ExitReason

    @property
    def gross_pnl_usdt(self) -> float:
        return (self.exit_price - self.entry_price) * self.quantity

    @property
    def pnl_usdt(self) -> float:
        """Net of the fees actually paid on both legs."""
        return self.gross_pnl_usdt - self.fees_usdt

    @property
    def pnl_pct(self) -> float:
        cost = self.entry_price * self.quantity
        return self.pnl_usdt / cost * 100 if cost else 0.0

    @property
    def duration_sec(self) -> float:
        return (self.exit_time_ms - self.entry_time_ms) / 1000

    @property
    def is_win(self) -> bool:
        return self.pnl_usdt > 0
