"""A replay's held stretches (a base of replay.Backtest): the minutes positions wait on their OCO, in bulk.

While positions are held the replay acts every minute, yet most of those minutes change nothing but marks:
no bar reaches an OCO leg nor an exit of the bot's own, and with the open positions at the maximum every
candidate is refused for that. From minute t, one vectorised search over the grid finds the first minute
where anything else can happen, and the minutes before it are passed in one call each on the loop
(LoopFace.pass_held) and the simulator (`observe_quiet_bars`), their refusals and equity marks recorded as
minute by minute. A minute is passed only when all of these hold at it, else the search stops there:
- `held_until`: only positions busy, each on its OCO alone, the open positions at the maximum, balances
  fresh, no pause, no close asked; before the next reconcile or stats line, within the UTC day;
- every held symbol has its bar (no gap), and that bar moves no resting order of the simulator (the
  engine's own wake prices) and no exit of the bot: stop-loss, take-profit, the trailing stop (armed and
  moved along the bars exactly as Position.with_price does) and the timeout;
- the kill switch would not fire at its equity (RiskBook.mark_equities stops before that instant).
"""

from __future__ import annotations

import functools
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from application.backtest.quiet_span import QuietSpans
from domain.position import Position
from domain.time_units import DAY_MS
from domain.values import Candle

HELD_WINDOW = 240  # minutes searched at once (a longer stretch is passed in several)


@runtime_checkable
class QuietBarsVenue(Protocol):
    """A simulator that says which bars move none of its resting orders, and takes such bars in bulk."""

    def resting_bounds(self, symbol: str) -> tuple[float, float] | None: ...

    def observe_quiet_bars(self, last: Candle, bars: int) -> None: ...


class HeldSpans(QuietSpans):
    """The attributes below are the ones Backtest builds besides QuietSpans'."""

    _index: dict[str, int]
    _held_venue: QuietBarsVenue | None  # None: held minutes acted one by one

    async def _pass_held(self, t: int) -> int:
        """The minutes after t (acted on, positions held) that can only mark equity and refuse signals,
        passed at once; self._t: the last one. Returns how many (0: minute t + 1 acts in full)."""
        loop, market, venue, start = self._loop, self._market, self._held_venue, t + 1
        if venue is None or start >= len(market.minutes):
            return 0
        clock_ms = self._clock.now_ms()
        first_ms = max(clock_ms, market.close_ms(start))
        positions, moved = loop.open_positions(), []
        for position in positions:  # the first bar by the domain's own rules: half the stretches end there
            bounds = venue.resting_bounds(position.symbol)
            after = None if bounds is None else self._first_bar(position, start, first_ms, bounds)
            if bounds is None or after is None:
                return 0
            moved.append((after, bounds))
        held = loop.held_until(first_ms)
        if held is None or first_ms >= (end_ms := min(held[1], (first_ms // DAY_MS + 1) * DAY_MS)):
            return 0
        closes = market.minutes[start + 1:start + HELD_WINDOW] + (market.bar_ms - 1)
        times = np.maximum(closes, clock_ms)  # what advancing the clock minute by minute gives
        n = int(np.searchsorted(times, end_ms))
        for after, bounds in moved:
            n = min(n, self._quiet_bars(after, start + 1, times[:n], bounds)) if n else 0
        return await self._pass(start, [first_ms, *times[:n].tolist()], positions, held[0], venue)

    def _first_bar(self, position: Position, start: int, now_ms: int,
                   bounds: tuple[float, float]) -> Position | None:
        """`position` after its bar at minute `start` when that bar reaches no exit (see the module)."""
        row = int(self._market.rows[self._index[position.symbol], start])
        if row < 0:
            return None
        k = self._market.klines[position.symbol]
        low, high = float(k.low[row]), float(k.high[row])
        if low <= bounds[0] or high >= bounds[1]:
            return None
        after = position.with_price(high)
        policy = after.policy
        if after.exit_due(now_ms, low, high) is not None or \
                after.held_sec(now_ms) >= max(policy.timeout_sec, policy.min_hold_sec):
            return None
        return after

    def _quiet_bars(self, position: Position, start: int, times: npt.NDArray[np.int64],
                    bounds: tuple[float, float]) -> int:
        """How many bars of `position`'s symbol from minute `start` on reach no exit (see the module)."""
        market = self._market
        rows = market.rows[self._index[position.symbol], start:start + len(times)]
        k = market.klines[position.symbol]
        gap = rows < 0
        at = np.where(gap, 0, rows)
        low, high = k.low[at], k.high[at]
        policy = position.policy
        held = (times - position.entry_time_ms) / 1000  # Position.held_sec, the same division
        stop = gap | (low <= bounds[0]) | (high >= bounds[1]) | (low <= position.stop_loss_price) \
            | (high >= position.take_profit_price) | (held >= max(policy.timeout_sec, policy.min_hold_sec))
        activation = policy.trailing_activation_pct
        if activation is not None:  # Position.with_price bar after bar: the highest price, then the stop
            highest = np.maximum.accumulate(np.maximum(high, max(position.highest_price,
                                                                 position.entry_price)))
            armed = highest >= position.entry_price * (1 + activation)
            candidate = np.where(armed, highest * (1 - policy.trailing_distance_pct), -np.inf)
            before = position.trailing_stop_price
            trail = np.maximum.accumulate(np.maximum(candidate, -np.inf if before is None else before))
            stop |= (trail > -np.inf) & (low <= trail) & (held >= policy.min_hold_sec)
        return int(np.argmax(stop)) if stop.any() else len(times)

    async def _pass(self, start: int, times: list[int], positions: tuple[Position, ...], reason: str,
                    venue: QuietBarsVenue) -> int:
        loop, market = self._loop, self._market
        minutes = list(range(start, start + len(times)))
        symbols = sorted(p.symbol for p in positions)  # the order _act feeds them in
        rows = market.rows[[self._index[s] for s in symbols], start:start + len(times)].T.tolist()
        bars = [[market.candle_at_row(s, row) for s, row in zip(symbols, minute, strict=True)]
                for minute in rows]
        at = {symbol: i for i, symbol in enumerate(symbols)}
        # LoopFace._marked_equity's positions, each at its bar's close (the memory's price after ingest)
        values = [sum(p.quantity * bar[at[p.symbol]].close for p in positions) for bar in bars]
        equities = loop.held_equities(values, functools.partial(self._prices.along, minutes=minutes))
        passed = await loop.pass_held(times, bars, equities)
        if not passed:
            return 0
        for i in range(len(symbols)):
            venue.observe_quiet_bars(bars[passed - 1][i], passed)
        self._refuse_held(minutes[:passed], times, equities, reason, frozenset(symbols))
        self._move_to(minutes[passed - 1])
        self._daily_limit(times[0])  # the same day, no trade: the same verdict at each of its minutes
        return passed

    def _refuse_held(self, minutes: list[int], times: list[int], equities: list[float], reason: str,
                     busy: frozenset[str]) -> None:
        """What `_risk_could_approve` and `_mark` record minute by minute: each candidate passing the signal
        rules (not held) refused for the probe's reason, the equity marked where it changed."""
        plan, symbols, refusals, marks = self._plan, self._market.symbols, self._refusals, self._equity
        cells_at, passes, cell_symbols = plan.cells_at, plan.cell_passes, plan.cell_symbols
        record = refusals.record
        probed = False
        for minute, now, equity in zip(minutes, times, equities, strict=False):
            for cell in cells_at(minute):
                symbol = symbols[cell_symbols[cell]]
                if passes[cell] and symbol not in busy:
                    record(now, symbol, reason)
                    probed = True
            if not marks or abs(marks[-1][1] - equity) > 1e-12:
                marks.append((now, equity))
        if probed:
            refusals.probe_reason = reason
