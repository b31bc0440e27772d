"""The backtest (spec phase 4): the live trading loop, replayed over recorded 1m klines.

Features, scanner scores and model predictions were computed for every bar in batches
(backtest_precompute); this use case then drives the SAME TradingLoop as paper and live (scan ->
model -> signals -> risk -> market buy + OCO -> exits: TP, SL, trailing, timeout, kill switch) with a
replay clock, but only at the minutes where it can act: a minute where a candidate passes the signal
rules and the risk book could approve a trade, or a minute where a position (or a resting maker entry)
is open. Skipped minutes are ones where the live loop would have done nothing. A signal minute where
the loop is quiet (nothing held or under way, every entry refused until a known instant: the daily or
hourly trade cap, the daily loss limit) still counts its refused signals and marks equity, but through
the loop's quiet ticks, with the equity of the whole quiet stretch valued in one pass (quiet_span.py).
Likewise the minutes where held positions only wait on their OCO (no bar reaches an exit, every entry
refused for the open-position cap) are passed in bulk up to the next bar that can act (held_span.py).

Timing of one acting minute t (its bars close at C = open + 59 999 ms):
1. the clock moves to C; every busy symbol's bar t goes to the simulator (resting OCO legs fill
   against its range, stop-loss first when it touches both) and then to the loop (trailing, exits);
2. for each candidate that may be entered, the simulator learns the open of bar t+1 as the first
   price after C; the loop's memory only gets bar t. The decision uses bars <= t only; the market
   buy, sent at C plus the latency, fills at bar t+1's open plus slippage, never at bar t's close;
3. the loop ticks at C: pending entries, exits due, equity and kill switch, the scan and the entries.
Positions still open when the data ends are sold at market at the last close (exit reason MANUAL).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from application.backtest.grid_prices import GridPrices
from application.backtest.held_span import HeldSpans, QuietBarsVenue
from application.backtest.market_grid import BacktestMarket
from application.backtest.precompute import EntryPlan
from application.backtest.quiet_span import RiskEvent
from application.backtest.refusals import Refusal, RefusalLog
from application.trading_loop import TradingLoop
from domain.market_events import BookTopUpdated, CandleUpdated
from domain.position import CompletedTrade, ExitReason, Position
from domain.values import BookTop, Trade
from ports.clock import AdvancingClock
from ports.exchange import ReplayVenue

__all__ = ["Backtest", "BacktestRun", "Progress", "RiskEvent"]


@dataclass(frozen=True)
class BacktestRun:
    name: str
    trades: tuple[CompletedTrade, ...]
    equity: tuple[tuple[int, float], ...]  # (time ms, marked equity) wherever it changed
    events: tuple[RiskEvent, ...]
    start_ms: int
    end_ms: int
    initial_capital: float
    acted_minutes: int
    stopped_reason: str | None
    open_positions: tuple[Position, ...] = ()  # still open at the end (the final sale failed)
    refusals: tuple[Refusal, ...] = ()  # signals the risk book refused, in time order


Progress = Callable[[int, int], None]  # (minutes replayed, minutes in all): for a progress bar


class Backtest(HeldSpans):
    def __init__(self, *, loop: TradingLoop, venue: ReplayVenue, clock: AdvancingClock,
                 market: BacktestMarket, plan: EntryPlan, trades: Sequence[CompletedTrade],
                 trade_from_minute: int = 0, book_tops: bool = False, refusals: RefusalLog | None = None,
                 progress: Progress | None = None, held_skip: bool = True) -> None:
        """`trades`: the live view of what the loop's journal recorded (a RecordingJournal's list).
        `book_tops`: give the loop a book top at the candidate's close (maker entries rest at it).
        `refusals`: the log the loop's RecordingRiskBook writes to; the replay adds the probe's refusals.
        `progress`: told (minutes replayed, minutes in all) as the replay moves on.
        `held_skip`: the minutes positions only wait on their OCO passed in bulk (held_span.py; same run)."""
        self._loop, self._venue, self._clock, self._market, self._plan = loop, venue, clock, market, plan
        self._refusals = refusals if refusals is not None else RefusalLog()
        self._progress = progress
        self._held_venue = venue if held_skip and isinstance(venue, QuietBarsVenue) else None
        self._trades, self._book_tops = trades, book_tops
        self._first = max(trade_from_minute, 0)
        self._events: list[RiskEvent] = []
        self._equity: list[tuple[int, float]] = []
        self._limit_day = -1
        self._index = {s: i for i, s in enumerate(market.symbols)}
        self._t = self._first  # the minute replayed
        self._prices = GridPrices(market)  # the dust at the market's price, whatever the loop watches
        self._prices.move_to(self._first)
        loop.on_kill_switch = self._killed
        prices = self._prices
        loop.price_dust_with(prices.price, prices.moves, prices.prices, prices.version)

    async def run(self) -> BacktestRun:
        market, loop = self._market, self._loop
        signals = self._plan.signal_minutes()
        signals = signals[signals >= self._first]
        total = len(market.minutes)
        start_ms = int(market.minutes[self._first]) if self._first < total else 0
        self._clock.advance_to(max(self._clock.now_ms(), start_ms))
        await loop.start()
        self._equity.append((self._clock.now_ms(), loop.risk.limits.initial_capital))
        acted = 0
        self._signals, self._signal_closes = signals, market.minutes[signals] + (market.bar_ms - 1)
        t = int(signals[0]) if len(signals) else total
        signal_list: list[int] = signals.tolist()  # bisect on ints: ~10x cheaper than searchsorted for one
        try:
            while t < total and not loop.stopped:
                if self._progress is not None:
                    self._progress(t - self._first, total - self._first)
                acted += await self._act(t)
                t = self._t
                if loop.busy_symbols():
                    acted += await self._pass_held(t)
                    t = self._t + 1
                else:
                    after = bisect.bisect_right(signal_list, t)
                    t = signal_list[after] if after < len(signal_list) else total
            if not loop.stopped and self._t < total - 1:  # the dust marked at the data's last close
                self._t = total - 1
                self._prices.move_to(total - 1)
                self._clock.advance_to(max(self._clock.now_ms(), market.close_ms(total - 1)))
                await self._mark()
            if not loop.stopped and loop.open_positions():
                await loop.close_all(ExitReason.MANUAL, self._clock.now_ms())
                await self._mark()
        finally:
            await loop.stop()
        if self._progress is not None:
            self._progress(max(total - self._first, 0), max(total - self._first, 0))
        end_ms = market.close_ms(total - 1) + 1 if total else start_ms
        return BacktestRun(self._plan.name, tuple(self._trades), tuple(self._equity), tuple(self._events),
                           start_ms, max(end_ms, start_ms), loop.risk.limits.initial_capital, acted,
                           loop.stopped_reason, loop.open_positions(), tuple(self._refusals.refusals))

    async def _act(self, t: int) -> int:
        """Minute t, or the quiet span from t; the minutes acted on (self._t: the last one)."""
        market, loop = self._market, self._loop
        self._t = t
        self._prices.move_to(t)
        self._clock.advance_to(max(self._clock.now_ms(), market.close_ms(t)))
        quiet = loop.quiet_until(self._clock.now_ms())
        if quiet is not None:
            return await self._pass_quietly(t, *quiet)
        for symbol in sorted(loop.busy_symbols()):
            candle = market.candle(self._index[symbol], t)
            if candle is not None:
                self._venue.observe_candle(candle)
                await loop.ingest(CandleUpdated(candle))
        cells = self._candidate_cells(t)
        if await self._risk_could_approve(cells):
            await self._show_candidates(t, cells)
        await loop.on_tick(self._clock.now_ms())
        await self._mark()
        return 1

    def _candidate_cells(self, t: int) -> list[int]:
        """The plan's cells at minute t that pass the signal rules, their symbol not busy."""
        plan, symbols, busy = self._plan, self._market.symbols, self._loop.busy_symbols()
        passes, cell_symbols = plan.cell_passes, plan.cell_symbols
        return [cell for cell in plan.cells_at(t) if passes[cell] and symbols[cell_symbols[cell]] not in busy]

    async def _show_candidates(self, t: int, cells: list[int]) -> None:
        """Bar t of each candidate that passes the signal rules to the loop; bar t+1's open to the
        simulator as the next price (the fill of an entry decided now)."""
        plan, market, loop = self._plan, self._market, self._loop
        for cell in cells:  # the probe's candidates (nothing in between makes a symbol busy)
            found = market.bar_and_next_open(plan.cell_symbols[cell], t)
            if found is None:
                continue
            candle, following = found
            await loop.ingest(CandleUpdated(candle))
            if self._book_tops:
                await loop.ingest(BookTopUpdated(BookTop(candle.symbol, candle.close, candle.volume,
                                                         candle.close, candle.volume, candle.close_time_ms)))
            self._venue.observe_trade(Trade(candle.symbol, *following, buyer_is_maker=False))

    async def _risk_could_approve(self, cells: list[int]) -> bool:
        """Would the risk book approve any trade now? The loop asks again for each real signal. When it
        would not, each candidate passing the signal rules is a signal refused for the probe's reason.
        No such candidate (a minute only a position made busy): nothing to show nor to refuse, so no probe;
        the tick values equity itself (reading stale balances first, as the probe would have, unless the
        exchange is paused: then the probe's read is the only one)."""
        now, loop = self._clock.now_ms(), self._loop
        symbols, cell_symbols = self._market.symbols, self._plan.cell_symbols
        candidates = [symbols[cell_symbols[cell]] for cell in cells]
        if not candidates and (loop.account.balances_fresh or not loop.errors.paused(now)):
            return False
        equity = await loop.equity()
        with self._refusals.probing() as probe:
            approves = loop.could_enter(now, equity)
        if not approves and probe.probe_reason is not None:
            for symbol in candidates:
                self._refusals.record(now, symbol, probe.probe_reason)
        return approves

    def _killed(self, reason: str) -> None:
        self._events.append(RiskEvent(self._clock.now_ms(), "kill_switch", reason))
