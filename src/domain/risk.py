"""The risk manager (spec 4.6 and 6): position size, trade limits, daily loss limit and kill switch.

Every decision is `Approved(size_usdt)` or `Rejected(reason)`; the reason is a sentence for the log.
Time arrives as integer UTC milliseconds; a UTC day is `now_ms // 86_400_000`, so the daily counters
reset at 00:00 UTC.

- Sizing (spec 6.1): `risk_values.size_position`; the limits and decisions are in risk_values.py too;
  the counters, queries and snapshot the book keeps are in risk_state.py (RiskState, its base).
- Daily loss limit: realised PnL of the trades closed today <= -max_daily_loss_pct x the capital at the
  start of the UTC day. That capital is the last equity seen before the day rolled (`update_equity`),
  or initial_capital when none was seen, so a good yesterday raises today's allowance and a bad one
  lowers it, instead of both being measured against a stale initial figure.
- Cooldown (freqtrade's CooldownPeriod): a pair exited at t is not entered again before t + cooldown_ms,
  so a forced sale (an OCO refused, a stop) is not followed by the same buy a few milliseconds later.
- Kill switch (spec 6.3): drawdown from the peak equity (starting at initial_capital) >= max_drawdown_pct.
  It is sticky: only `reset_kill_switch()`, a human decision, clears it (and the snapshot keeps it latched
  across restarts).
- Capital (issue 14): the book is about the money the user gave it, `initial_capital` plus the realised PnL
  of every trade (`capital`), never the rest of the account; the loop marks equity as that capital plus
  the unrealised result of what is held (application/account.py).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Collection, Sequence
from decimal import Decimal

from domain.position import CompletedTrade
from domain.risk_state import RiskState
from domain.risk_values import (
    Approved,
    Rejected,
    RiskDecision,
    RiskLimits,
    TradeIntent,
    size_position,
)
from domain.time_units import DAY_MS, HOUR_MS

__all__ = ["Approved", "Rejected", "RiskBook", "RiskDecision", "RiskLimits", "TradeIntent"]


class RiskBook(RiskState):
    """Mutable but pure risk state: counters, peak equity and the kill switch. No I/O, no clock."""

    # -- decisions ----------------------------------------------------------------------------------
    def check(self, intent: TradeIntent, now_ms: int, capital: float,
              open_symbols: Collection[str]) -> RiskDecision:
        """May this trade open now, and with how many USDT? The first rule that refuses names itself."""
        self._roll(now_ms)
        if self._kill_reason is not None:
            return Rejected(self._kill_refusal())
        symbol = intent.symbol
        if symbol in open_symbols:
            return Rejected(f"a position is already open on {symbol} (one per pair)")
        exited_ms = self._exits_ms.get(symbol)
        if exited_ms is not None and now_ms - exited_ms < self.limits.cooldown_ms:
            return Rejected(self._cooldown_refusal(symbol, now_ms, exited_ms), rule="cooldown")
        counted = self._count_refusal(now_ms, len(open_symbols))
        if counted is not None:
            return Rejected(counted)
        size, refusal = size_position(self.limits, capital, intent.entry_price, intent.stop_loss_price,
                                      intent.min_notional)
        return Rejected(refusal) if refusal is not None else Approved(size)

    def entries_blocked(self, now_ms: int, open_count: int) -> str | None:
        """Why no entry at all may open now, whatever its symbol, price and size (kill switch, open
        positions, daily loss, trade counts): `check` would refuse every intent with this reason (or a
        per-symbol one first). None when some entry might be approved. The loop skips its scan then."""
        self._roll(now_ms)
        if self._kill_reason is not None:
            return self._kill_refusal()
        return self._count_refusal(now_ms, open_count)

    def entries_blocked_until(self, now_ms: int, open_count: int) -> tuple[str, int] | None:
        """(`entries_blocked`'s reason, the earliest instant it may lift) while time alone can lift it: the
        daily rules at the next UTC day, the hourly cap when its oldest entry leaves the window. Until then
        the reason stays the same unless a position opens or closes. None when nothing blocks, or when only
        an event can lift the block (the kill switch, open positions)."""
        reason = self.entries_blocked(now_ms, open_count)
        if reason is None or self._kill_reason is not None or open_count >= self.limits.max_open_positions:
            return None
        until = (now_ms // DAY_MS + 1) * DAY_MS
        self._trades_last_hour(now_ms)  # drops the entries already out of the window
        if self._entries_ms:  # an hourly cap lifts when its oldest entry leaves (now - 60 min, now]
            until = min(until, self._entries_ms[0] + HOUR_MS)
        return reason, until

    def _kill_refusal(self) -> str:
        return f"kill switch active ({self._kill_reason}); trading stays stopped until reset"

    def _count_refusal(self, now_ms: int, open_count: int) -> str | None:
        if open_count >= self.limits.max_open_positions:
            return f"{open_count} positions open, the maximum is {self.limits.max_open_positions}"
        loss_limit = self.limits.max_daily_loss_pct * self._day_start_capital
        if self._day_pnl <= -loss_limit:
            quote = self.limits.quote_asset
            return (f"daily loss limit reached: {self._day_pnl:+.2f} {quote} today <= -{loss_limit:.2f} "
                    f"{quote} ({self.limits.max_daily_loss_pct:.1%} of {self._day_start_capital:.2f}); "
                    "trading resumes at 00:00 UTC")
        if self._day_trades >= self.limits.max_trades_per_day:
            return f"{self._day_trades} trades today (UTC), the maximum is {self.limits.max_trades_per_day}"
        last_hour = self._trades_last_hour(now_ms)
        if last_hour >= self.limits.max_trades_per_hour:
            return f"{last_hour} trades in the last 60 min, the maximum is {self.limits.max_trades_per_hour}"
        return None

    def _cooldown_refusal(self, symbol: str, now_ms: int, exited_ms: int) -> str:
        """Why `symbol`, exited at `exited_ms`, is still cooling down (the caller found it is)."""
        cooldown_ms = self.limits.cooldown_ms
        return (f"cooldown: {symbol} exited {max(0, now_ms - exited_ms) / 1000:.0f} s ago "
                f"({cooldown_ms / 1000:.0f} s)")

    def position_size(self, capital: float, entry_price: float, stop_loss_price: float,
                      min_notional: Decimal | float = 0.0) -> float:
        """USDT to commit (spec 6.1), or 0.0 when the trade is not viable."""
        return size_position(self.limits, capital, entry_price, stop_loss_price, min_notional)[0]

    # -- events -------------------------------------------------------------------------------------
    def record_entry(self, symbol: str, now_ms: int) -> None:
        """A position opened: it counts toward the hourly and daily trade limits."""
        self._roll(now_ms)
        self._day_trades += 1
        self._trades_last_hour(now_ms)  # prunes the window, so it never grows past an hour of entries
        bisect.insort(self._entries_ms, now_ms)

    def record_exit(self, trade: CompletedTrade, now_ms: int) -> None:
        """A position closed: its net PnL counts toward today's loss limit if it closed today (UTC), and
        its pair cools down from its exit time."""
        self._roll(now_ms)
        symbol = trade.symbol
        self._exits_ms[symbol] = max(self._exits_ms.get(symbol, trade.exit_time_ms), trade.exit_time_ms)
        self._realised_pnl += trade.pnl_usdt
        if trade.exit_time_ms // DAY_MS == self._day:
            self._day_pnl += trade.pnl_usdt

    def update_equity(self, equity: float, now_ms: int) -> bool:
        """Mark the account to market. True only on the call that fires the kill switch."""
        if not math.isfinite(equity):
            raise ValueError(f"equity must be a finite number, got {equity!r}")
        self._roll(now_ms)
        self._last_equity = equity
        self._peak_equity = max(self._peak_equity, equity)
        if self._kill_reason is not None:
            return False
        drawdown = self.drawdown
        if drawdown >= self.limits.max_drawdown_pct:
            self._kill_reason = (f"drawdown {drawdown:.1%} from peak {self._peak_equity:.2f} to {equity:.2f} "
                                 f">= {self.limits.max_drawdown_pct:.1%}")
            return True
        return False

    def mark_equities(self, equities: Sequence[float], times_ms: Sequence[int]) -> int:
        """`update_equity` at each instant in turn (a replay's quiet stretch), stopping before the first
        that is not a finite number or would fire the kill switch: the caller marks that one itself.
        Returns how many were marked."""
        limit, marked, watching = self.limits.max_drawdown_pct, 0, self._kill_reason is None
        last, peak, next_day_ms = self._last_equity, self._peak_equity, self._day_ends_ms
        isfinite = math.isfinite
        for equity, now_ms in zip(equities, times_ms, strict=False):
            if not isfinite(equity):
                break
            top = equity if equity > peak else peak  # max(peak, equity)
            # `drawdown >= limit` as `drawdown` says, for the 0 < limit < 1 RiskLimits ensures
            if watching and (top <= 0 or (top - equity) / top >= limit):
                break
            if now_ms >= next_day_ms:  # `_roll` (it starts the day at the last equity marked before)
                self._last_equity = last
                self._roll(now_ms)
                next_day_ms = self._day_ends_ms
            last, peak = equity, top
            marked += 1
        self._last_equity, self._peak_equity = last, peak
        return marked

    def reset_kill_switch(self, new_peak: float | None = None) -> None:
        """A human decision: clear the switch and measure drawdown afresh from `new_peak` (default: the
        last equity seen); keeping the old peak would fire the switch again on the next update."""
        self._kill_reason = None
        self._peak_equity = self._last_equity if new_peak is None else new_peak
