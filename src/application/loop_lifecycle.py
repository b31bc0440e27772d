"""The trading loop's lifecycle and its exchange state (trading_loop.py is the loop; this is its base):
start (rules, universe, recovery, the first reconcile), stop (resting entries cancelled, journal flushed),
halting, the reconcile run in the positions' lanes and the symbol rules.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AsyncExitStack
from typing import TYPE_CHECKING

from application.durable_run import DurableRun
from application.enter_trades import MarketScanner
from application.fills import log_open_at_stop
from application.follow_orders import FollowOrders
from application.holdings import DustLedger
from application.loop_face import LoopFace
from application.reconcile import Reconcile
from domain.position import ExitReason
from domain.rules import SymbolRules
from ports.clock import Clock
from ports.errors import ConfigurationError, RateLimited
from ports.exchange import Exchange
from ports.market_feed import MarketFeed

if TYPE_CHECKING:
    from loguru import Logger


class LoopLifecycle(LoopFace):
    """TradingLoop's base: the attributes below are the ones TradingLoop builds."""

    _feed: MarketFeed
    _exchange: Exchange
    _clock: Clock
    _scanner: MarketScanner
    _feature_names: tuple[str, ...]
    _durable: DurableRun | None
    _stack: AsyncExitStack | None
    _rules: dict[str, SymbolRules]
    _reconcile: Reconcile
    _log: Logger
    _next_sync_ms: int
    _resync_due: bool
    _guard: Callable[[str, Awaitable[object]], Awaitable[bool]]
    dust: DustLedger
    follow: FollowOrders
    stopped_reason: str | None
    last_tick_ms: int | None

    @property
    def stopped(self) -> bool:
        return self.stopped_reason is not None

    # -- lifecycle ------------------------------------------------------------------------------------
    async def start(self) -> None:
        """Enter the exchange and the feed, load the rules, reconcile. Errors here stop start-up."""
        if tuple(self._model.feature_names) != self._feature_names:
            raise ConfigurationError(f"model {self._model.version} expects features "
                                     f"{list(self._model.feature_names)[:3]}..., the engine computes "
                                     f"{list(self._feature_names)[:3]}... ({len(self._feature_names)})")
        if self._durable is not None:
            await self._durable.resume()
        self._stack = AsyncExitStack()
        try:
            self._stats.begin_run()  # the stats count this run's trades against this run's capital
            await self._stack.enter_async_context(self._exchange)
            self.follow.open()  # the order events from here on: start-up's reconcile covers what came before
            await self._stack.enter_async_context(self._feed)
            await self._load_rules()
            await self._scanner.refresh_universe(force=True)
            if self._durable is not None and not await self._durable.recover(self._rules, self._halt):
                return
            await self._sync()
            self._next_sync_ms = self._clock.now_ms() + self.config.reconcile_interval_ms
            self.follow.start(self._settle_in_lane)
        except BaseException as exc:
            if isinstance(exc, RateLimited) and exc.banned:
                self._banned(exc.retry_after, f"at start: {exc}")
            stack, self._stack = self._stack, None
            await stack.aclose()
            raise
        self._log.info("Trading loop started ({} mode): {:.2f} {} free, model {}", self.config.mode,
                       self.account.quote_free, self.config.quote_asset, self._model.version)
        if self.risk.kill_switch_active:  # sticky across restarts: only a human resets it
            self._halt(f"the kill switch is active ({self.risk.kill_switch_reason}); a human resets it to "
                       f"trade again: python -m bootstrap reset-kill-switch --mode {self.config.mode}")

    def _banned(self, retry_after_s: float, reason: str) -> None:
        if self._durable is not None:
            self._durable.banned(retry_after_s, reason)

    def _persist(self, *, force: bool = False) -> None:
        if self._durable is not None:
            self._durable.persist(force=force)

    async def _price_at_start(self, symbol: str) -> float | None:
        """A price before the first market event: the last one seen, else the last closed candle."""
        price = self.memory.current_price(symbol)
        if price is None:
            candles = await self._feed.recent_candles(symbol, 1)
            price = candles[-1].close if candles else None
        return price

    async def stop(self) -> None:
        """Graceful stop, between two steps: cancel resting maker entries, report the open positions
        (their OCO stays on the exchange), flush the journal, leave the feed and the exchange."""
        if self._stack is None:
            return
        await self.follow.stop()
        await self._lanes.drain()
        self._persist(force=True)
        self.stopped_reason = self.stopped_reason or "stop requested"
        for symbol, pending in list(self.entries.pending.items()):
            await self._guard(f"cancel maker entry {symbol}",
                              self._exchange.cancel_order(symbol, pending.order.order_id))
        for position in self.positions.positions.values():
            log_open_at_stop(position, self.config.mode)
        if not self.account.flush():
            for trade in self.account.unjournaled:
                self._log.bind(symbol=trade.symbol).critical("Trade NOT journaled: {}", trade)
        self._stats.report()
        self._log.info("Trading loop stopped: {}", self.stopped_reason)
        stack, self._stack = self._stack, None
        await stack.aclose()

    def request_stop(self, reason: str = "stop requested") -> None:
        """Ask the loop to stop after the current step (signal handlers, the CLI)."""
        self.stopped_reason = self.stopped_reason or reason

    # -- the symbol lanes and the exchange's state ---------------------------------------------------
    async def _poll_in_lane(self, symbol: str, poll: Callable[[], Awaitable[object]]) -> None:
        """Reconcile's poll of a position runs in the position's lane: one finisher per position."""
        await self._lanes.run(symbol, lambda: self._guard(f"poll {symbol}", poll()))

    async def _settle_in_lane(self, symbol: str, settle: Callable[[], Awaitable[object]]) -> None:
        await self._lanes.run_next(symbol, lambda: self._guard(f"order event {symbol}", settle()))

    def _resync(self) -> None:
        self._resync_due = True
        self.account.balances_changed()

    def _halt(self, reason: str) -> None:
        if not self.stopped:
            self._log.critical("Trading halted: {}; open positions keep their exchange-side OCO", reason)
            self.stopped_reason = f"halted: {reason}"

    async def _sync(self) -> None:
        epoch = self.follow.reconcile_begins()  # a stream restarted meanwhile needs a later reconcile
        report = await self._reconcile(self._rules, self.memory.current_price,
                                       self.entries.busy_symbols() | self.dust.symbols,  # dust: no orphan
                                       in_lane=self._poll_in_lane)
        self.account.set_quote(report.quote_free, report.quote_total)
        self.follow.reconciled(epoch)

    async def _load_rules(self) -> None:
        self._rules.clear()
        self._rules.update(await self._exchange.symbol_rules())
        self.positions.set_rules(self._rules)

    async def _refresh_universe(self) -> None:
        if await self._scanner.refresh_universe() is not None:
            await self._load_rules()  # new listings need their filters

    async def _reconcile_if_due(self, now_ms: int) -> bool:
        if now_ms < self._next_sync_ms and not self._resync_due:
            return False
        self._next_sync_ms, self._resync_due = now_ms + self.config.reconcile_interval_ms, False
        await self._guard("reconcile", self._sync())
        return True

    def quiet_marks(self, times_ms: Sequence[int], equities: Sequence[float]) -> int:
        """`quiet_tick(times_ms[i], equities[i])` for the first instants where it would only mark equity
        (balances fresh, no reconcile due, the kill switch not firing), in one call: a replay's quiet
        stretch. Returns how many; the driver ticks the next one itself."""
        if self.stopped or self._resync_due or not self.account.balances_fresh:
            return 0
        due = bisect.bisect_left(times_ms, self._next_sync_ms)
        marked = self.risk.mark_equities(equities[:due], times_ms[:due])
        if marked:
            self.last_tick_ms = times_ms[marked - 1]
            self._persist()
        return marked

    # -- the operator's requests ----------------------------------------------------------------------
    async def _close_requested(self, now_ms: int) -> None:
        """The operator's closes, each in its symbol's lane (never beside the lane's own work on it); a
        symbol whose lane is busy keeps its request for the next tick."""
        asked, self._close_requests = self._close_requests, []
        for symbol in asked:
            if symbol not in self.positions.held:
                continue
            if self._lanes.busy(symbol):
                self._close_requests.append(symbol)
                continue
            self._log.bind(symbol=symbol).warning("Closing {} at market: asked by the operator", symbol)
            await self._lanes.run(symbol, functools.partial(
                self._guard, f"close {symbol}", self.positions.close(symbol, ExitReason.MANUAL, now_ms)))
