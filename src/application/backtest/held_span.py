"""A replay's held stretches (a base of replay.Backtest): the minutes positions wait on their OCO, in bulk.

While positions are held the replay acts every minute, yet most of those minutes change nothing but marks:
no bar reaches an OCO leg nor an exit of the bot's own, and with the open positions at the maximum every
candidate is refused for that. From minute t, one walk along the grid finds the first minute where anything
else can happen (a plain loop: a stretch lasts a few bars, where numpy's per-call cost exceeded the work),
and the minutes before it are passed in one call each on the loop
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

import bisect
from typing import Protocol, runtime_checkable

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
        clock_ms, end = self._clock.now_ms(), min(len(market.minutes), start + HELD_WINDOW)
        positions = loop.open_positions()
        for position in positions:  # half the stretches end at their first bar: the cheap test first
            bounds = venue.resting_bounds(position.symbol)
            quiet = 0 if bounds is None else self._quiet_bars(position, start, end, clock_ms, bounds)
            end = start + quiet
            if not quiet:
                return 0
        first_ms = max(clock_ms, market.close_ms(start))
        held = loop.held_until(first_ms)
        if held is None:
            return 0
        end_ms = min(held[1], (first_ms // DAY_MS + 1) * DAY_MS)  # the next reconcile, the day's end
        times = [max(clock_ms, market.close_ms(m)) for m in range(start, end)]  # the clock, minute by minute
        n = bisect.bisect_left(times, end_ms)
        return await self._pass(start, times[:n], positions, held[0], venue) if n else 0

    def _quiet_bars(self, position: Position, start: int, end: int, clock_ms: int,
                    bounds: tuple[float, float]) -> int:
        """How many bars of `position`'s symbol from minute `start` (before `end`) reach no exit: each
        present, inside the simulator's `bounds`, and through Position.with_price then exit_due (the
        same arithmetic, one bar after the other) neither stop-loss, trailing stop, take-profit nor
        timeout. A plain walk: stretches last a few bars, where each numpy call costs more than a bar."""
        market = self._market
        rows, k, close_ms = market.rows[self._index[position.symbol]], market.klines[position.symbol], \
            market.close_ms
        lows, highs, (fall, rise) = k.low, k.high, bounds
        stop_loss, take_profit, entry, entry_ms = position.stop_loss_price, position.take_profit_price, \
            position.entry_price, position.entry_time_ms
        policy = position.policy
        timeout, min_hold = max(policy.timeout_sec, policy.min_hold_sec), policy.min_hold_sec
        activation = policy.trailing_activation_pct
        arms_at = None if activation is None else entry * (1 + activation)
        keep = 1 - policy.trailing_distance_pct
        highest, trailing = max(position.highest_price, entry), position.trailing_stop_price
        for m in range(start, end):
            row = rows.item(m)  # item(): the Python number, no numpy scalar
            if row < 0:
                return m - start
            low, high = lows.item(row), highs.item(row)
            held = (max(clock_ms, close_ms(m)) - entry_ms) / 1000  # Position.held_sec at that minute's tick
            if low <= fall or high >= rise or low <= stop_loss or high >= take_profit or held >= timeout:
                return m - start
            if arms_at is not None:
                highest = max(highest, high)
                if highest >= arms_at:
                    candidate = highest * keep
                    trailing = candidate if trailing is None else max(trailing, candidate)
                if trailing is not None and low <= trailing and held >= min_hold:
                    return m - start
        return end - start

    async def _pass(self, start: int, times: list[int], positions: tuple[Position, ...], reason: str,
                    venue: QuietBarsVenue) -> int:
        loop, market = self._loop, self._market
        minutes = list(range(start, start + len(times)))
        symbols = sorted(p.symbol for p in positions)  # the order _act feeds them in
        grid = [(s, market.rows[self._index[s]]) for s in symbols]
        bars = [[market.candle_at_row(s, int(rows[m])) for s, rows in grid] for m in minutes]
        at = {symbol: i for i, symbol in enumerate(symbols)}
        # LoopFace._marked_equity's positions, each at its bar's close (the memory's price after ingest)
        values = [sum(p.quantity * bar[at[p.symbol]].close for p in positions) for bar in bars]
        prices, account = self._prices, loop.account
        equities = account.equities_each(values, prices.move_to, minutes)  # Account.equity minute by minute
        passed = await loop.pass_held(times, bars, equities)
        if passed < len(minutes):  # the dust valued again at the last minute passed, as minute by minute
            prices.move_to(minutes[passed - 1] if passed else self._t)
            account.dust_value()
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
