"""A replay's quiet stretches and its equity marks (the base of replay.Backtest).

A signal minute where the loop is quiet (nothing held or under way, every entry refused until a known
instant: the daily or hourly trade cap, the daily loss limit) still counts its refused signals and marks
equity, but through the loop's quiet ticks, with the equity of the whole stretch valued in one pass. The
instants where a quiet tick would only mark equity (no reconcile due, the kill switch not firing) are
marked in one call (`TradingLoop.quiet_marks`), a UTC day at a time; the others get a `quiet_tick` each.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from loguru import logger

from application.backtest.grid_prices import GridPrices
from application.backtest.market_grid import BacktestMarket
from application.backtest.precompute import EntryPlan
from application.backtest.refusals import RefusalLog
from application.trading_loop import TradingLoop
from domain.time_units import DAY_MS
from ports.clock import AdvancingClock


@dataclass(frozen=True, slots=True)
class RiskEvent:
    time_ms: int
    kind: str  # "daily_loss_limit" | "kill_switch"
    detail: str


class QuietSpans:
    """The attributes below are the ones Backtest builds."""

    _loop: TradingLoop
    _clock: AdvancingClock
    _market: BacktestMarket
    _plan: EntryPlan
    _prices: GridPrices
    _refusals: RefusalLog
    _signals: npt.NDArray[np.int64]
    _signal_closes: npt.NDArray[np.int64]
    _events: list[RiskEvent]
    _equity: list[tuple[int, float]]
    _limit_day: int
    _t: int

    async def _pass_quietly(self, t: int, reason: str, until_ms: int) -> int:
        """The signal minutes from t that close before `until_ms`, while the loop stays quiet (nothing held
        or under way, every entry refused for `reason`): what full minutes would leave behind, cheaper.
        Each candidate passing the signal rules is refused for the probe's reason, the loop marks equity
        (and reconciles when due), the replay marks it too; equity is valued over the span in one pass,
        again after a tick that did more than mark it. Returns the minutes passed."""
        loop = self._loop
        after = int(np.searchsorted(self._signals, t, side="right"))
        span = [t, *self._signals[after:np.searchsorted(self._signal_closes, until_ms)].tolist()]
        passed = 0
        while passed < len(span):
            ahead, inputs = span[passed:], loop.quiet_inputs()
            equities = loop.quiet_equities(functools.partial(self._prices.along, minutes=ahead))
            done = 0
            while done < len(ahead):
                done += self._mark_quietly(ahead[done:], equities[done:], reason)
                if done == len(ahead):
                    break
                minute, equity = ahead[done], equities[done]
                done += 1
                now = self._move_to(minute)
                self._refuse(minute, now, reason)
                if not await loop.quiet_tick(now, equity):
                    await self._mark(equity)
                    continue
                # A reconcile or the kill switch: the stretch goes on only if nothing equity depends on moved.
                quiet = None if loop.stopped else loop.quiet_until(now)
                same = quiet is not None and loop.quiet_inputs() == inputs
                await self._mark(equity if same else None)
                if quiet is None or quiet[0] != reason or quiet[1] < until_ms:
                    return passed + done
                if not same:
                    break  # still quiet, but what equity depends on changed: the rest valued again
            passed += done
        return passed

    def _mark_quietly(self, minutes: Sequence[int], equities: Sequence[float], reason: str) -> int:
        """The first of these minutes (of one UTC day) where a quiet tick would only mark equity, in one
        call: refusals, equity marks and the daily loss check as minute by minute. Returns how many."""
        clock, close_ms = self._clock, self._market.close_ms
        now, times = clock.now_ms(), list[int]()
        for minute in minutes:
            now = max(now, close_ms(minute))  # what advancing the clock minute by minute gives
            if times and now // DAY_MS != times[0] // DAY_MS:
                break
            times.append(now)
        marked = self._loop.quiet_marks(times, equities)
        plan, symbols, record, marks = self._plan, self._market.symbols, self._refusals.record, self._equity
        cells_at, passes, cell_symbols = plan.cells_at, plan.cell_passes, plan.cell_symbols
        for minute, now, equity in zip(minutes[:marked], times, equities, strict=False):
            for cell in cells_at(minute):  # `_refuse`, its lookups made once for the stretch
                if passes[cell]:
                    record(now, symbols[cell_symbols[cell]], reason)
            if not marks or abs(marks[-1][1] - equity) > 1e-12:
                marks.append((now, equity))
        if marked:
            self._move_to(minutes[marked - 1])
            self._daily_limit(times[0])  # the same day, no trade: the same verdict at each of its minutes
        return marked

    def _move_to(self, minute: int) -> int:
        self._t = minute
        self._prices.move_to(minute)
        self._clock.advance_to(max(self._clock.now_ms(), self._market.close_ms(minute)))
        return self._clock.now_ms()

    def _refuse(self, minute: int, now: int, reason: str) -> None:
        plan, symbols = self._plan, self._market.symbols
        for cell in plan.cells_at(minute):
            if plan.cell_passes[cell]:
                self._refusals.record(now, symbols[plan.cell_symbols[cell]], reason)

    async def _mark(self, equity: float | None = None) -> None:
        self._mark_at(self._clock.now_ms(), await self._loop.equity() if equity is None else equity)

    def _mark_at(self, now: int, equity: float) -> None:
        if not self._equity or abs(self._equity[-1][1] - equity) > 1e-12:
            self._equity.append((now, equity))
        self._daily_limit(now)

    def _daily_limit(self, now: int) -> None:
        risk, day = self._loop.risk, now // DAY_MS
        if day != self._limit_day:
            limit = risk.limits.max_daily_loss_pct * risk.day_start_capital(now)
            pnl = risk.daily_pnl(now)
            if pnl <= -limit:
                self._limit_day = day
                self._events.append(RiskEvent(now, "daily_loss_limit",
                                              f"{pnl:+.2f} USDT today <= -{limit:.2f} USDT"))
                logger.bind(mode="backtest").warning("Daily loss limit reached: {:+.2f} USDT", pnl)
