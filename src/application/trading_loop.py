"""The trading loop (spec 2.2, 3.3): the same code in backtest, paper and live.

Market events feed memory, the scanner and the open positions; on each tick the loop manages positions,
marks equity (kill switch), reconciles, and every `scan_interval_ms` scores candidates and opens trades.
Time comes only from the Clock and waits go through `clock.sleep`, so a replay skips them. A backtest
driver may call `step(event)` / `on_tick(now_ms)` itself, only where something can happen.

The loop alone decides what an exchange error means (error_policy.py); a ban or bad credentials halt it
safely, the kill switch closes everything and stops it; nothing else does (a corrupt event is skipped).

With a state store (paper, live; issue 14) every order intent is on disk before it is sent
(RecordedExchange), positions are written through, the risk book and the dust after every tick, a ban
with its expiry; start-up waits out a ban still running, then recovers (recover.py) before any entry.
In paper and live each position's exchange work runs in its symbol's lane (symbol_lanes.py): a slow
answer holds that symbol only. Entries stay in the loop, one at a time, so the risk book sees each.
There, when the exchange pushes order events (the user-data stream), an OCO fill closes its position at
once and open positions are polled only while that stream is down (follow_orders.py).
Start, stop, halting, the reconcile and the operator's closes are the base class (loop_lifecycle.py); what
the drivers may read and call is its base (loop_face.py).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from contextlib import AsyncExitStack

from loguru import logger

from application.account import Account
from application.durable_run import DurableRun
from application.enter_trades import EnterTrades, MarketScanner
from application.error_policy import ErrorPolicy
from application.feed_runner import consume_feed
from application.fills import FeeModel
from application.follow_orders import FollowOrders
from application.guard_model import GuardModel
from application.holdings import DustLedger
from application.kill_switch import close_everything
from application.loop_lifecycle import LoopLifecycle
from application.manage_positions import ManagePositions
from application.market_memory import MarketMemory, price_seen
from application.open_position import OpenPosition
from application.persisted_positions import PersistedPositions
from application.reconcile import Reconcile
from application.recorded_exchange import RecordedExchange
from application.recover import Recover
from application.report_stats import StatsReporter
from application.score_candidates import FeatureRow, ScoreCandidates
from application.symbol_fees import SymbolFees
from application.symbol_lanes import SymbolLanes
from application.trading_config import LoopConfig
from application.watchlist import Watchlist
from domain.features import FEATURE_NAMES, latest_features
from domain.market_events import FeedReconnected, MarketEvent, TickersUpdated
from domain.position import CompletedTrade
from domain.risk import RiskBook
from domain.rules import SymbolRules
from ports.clock import Clock
from ports.exchange import CommissionRates, Exchange
from ports.journal import TradeJournal
from ports.market_feed import MarketFeed
from ports.model import Model
from ports.order_events import OrderEvents
from ports.order_lookup import OrderLookup
from ports.state_store import StateStore


class TradingLoop(LoopLifecycle):
    def __init__(self, *, feed: MarketFeed, exchange: Exchange, model: Model, clock: Clock,
                 journal: TradeJournal, scanner: MarketScanner, risk: RiskBook, config: LoopConfig,
                 memory: MarketMemory | None = None, features: FeatureRow = latest_features,
                 feature_names: Sequence[str] = FEATURE_NAMES,
                 on_kill_switch: Callable[[str], None] | None = None,
                 state: StateStore | None = None) -> None:
        lookup = exchange if isinstance(exchange, OrderLookup) else None
        events = exchange if isinstance(exchange, OrderEvents) and config.mode != "backtest" else None
        # A replay's simulator charges the configured table itself: only paper and live ask the exchange.
        rates = exchange if isinstance(exchange, CommissionRates) and config.mode != "backtest" else None
        if state is not None:  # every order intent on disk before the order leaves
            exchange = RecordedExchange(exchange, state, clock)
        self._feed, self._exchange, self._model, self._clock = feed, exchange, model, clock
        self._scanner, self.risk, self.config = scanner, risk, config
        self._feature_names, self.on_kill_switch = tuple(feature_names), on_kill_switch
        self.memory = memory if memory is not None else MarketMemory(config.warmup_bars)
        execution, mode = config.execution, config.mode
        self.fees = SymbolFees(execution.fee_table, rates, maker_exit=execution.maker_take_profit, mode=mode,
                               now_ms=clock.now_ms)
        fees = FeeModel(execution.taker_fee_rate, execution.maker_fee_rate,  # an asset's price (BNB fees)
                        lambda asset: self.memory.current_price(f"{asset}{config.quote_asset}"), self.fees)
        self.dust = DustLedger(mode)  # what fees and lot steps leave unsold (holdings.py)
        self.account = Account(exchange, clock, journal, risk, execution.retry, config.quote_asset, mode,
                               dust=self.dust, price_of=self.memory.current_price,
                               positions_cost=lambda: self.positions.cost(), state=state,
                               price_moves=self.memory.take_price_moves,
                               prices_version=lambda: self.memory.price_version)
        self._health = None if config.model_health is None else GuardModel(  # off in backtests
            config.model_health, self._feature_names, mode)
        self.positions = ManagePositions(exchange, clock, fees, execution.retry, self._trade_closed,
                                         poll_interval_ms=config.order_poll_interval_ms, mode=mode,
                                         dust=self.dust,
                                         positions=PersistedPositions(state) if state is not None else None)
        self._durable = None if state is None else DurableRun(
            state, risk, self.dust, self.account, clock, Recover(
                exchange=exchange, lookup=lookup, state=state, positions=self.positions, account=self.account,
                risk=risk, fees=fees, clock=clock, config=config, price_at_start=self._price_at_start), mode)
        self._rules: dict[str, SymbolRules] = {}
        self._reconcile = Reconcile(exchange, clock, self.positions, execution.retry,
                                    quote_asset=config.quote_asset, orphan_policy=config.orphan_policy,
                                    ignored_assets=config.orphan_ignored_assets, mode=mode)
        watchlist = Watchlist(feed, self.memory, config.max_symbols_active, config.warmup_bars, mode)
        self.entries = EnterTrades(
            scanner=scanner, watchlist=watchlist,
            score=ScoreCandidates(self.memory, model, config.thresholds, config.warmup_bars, features,
                                  on_rows=None if self._health is None else self._health.rows_scored,
                                  ev_shift=self.fees.ev_shift_pct),
            open_position=OpenPosition(exchange, clock, execution, config.exit_policy, fees, mode, self.dust),
            positions=self.positions, risk=risk, account=self.account, memory=self.memory, rules=self._rules,
            config=config, gate_closed=self.gate_closed_reason, fees=self.fees, equity=self._marked_equity)
        self._stats = StatsReporter(journal, risk, clock, risk.limits.initial_capital)
        self._log = logger.bind(mode=mode)
        self._stack: AsyncExitStack | None = None
        self._next_scan_ms = self._next_stats_ms = self._next_sync_ms = 0
        self._resync_due = False
        self.stopped_reason: str | None = None
        self._lanes = SymbolLanes(concurrent=mode != "backtest")  # a slow answer holds only its symbol
        self.follow = FollowOrders(events, self.positions, clock, on_restart=self._resync, mode=mode)
        # The operator's console (ports/console.py): read by it, and its requests honoured between steps.
        self.entries_paused = False  # no new scan nor entry; open positions are still managed
        self._close_requests: list[str] = []
        self.last_event_ms: int | None = None
        self.last_tick_ms: int | None = None
        self.feed_lag_ms: int | None = None  # now - the market time of the last tickers frame
        self.feed_reconnects = 0
        self.errors = ErrorPolicy(clock, on_halt=self._halt, on_resync=self._resync, mode=mode,
                                  on_ban=self._banned)
        self._guard = self.errors.guard

    def _trade_closed(self, trade: CompletedTrade) -> None:
        self.account.record(trade)
        if self._health is not None:  # the position is still held here: its expected return is known
            position = self.positions.positions.get(trade.symbol)
            expected = position.expected_net_return_pct if position is not None \
                and position.entry_time_ms == trade.entry_time_ms else math.nan
            self._health.trade_closed(expected, trade.pnl_pct)

    async def run_until_feed_ends(self) -> str:
        """Start, consume the feed until it ends or the loop stops, stop. Returns why it stopped."""
        return await consume_feed(self, self._feed, self._clock, max_restarts=self.config.max_feed_restarts,
                                  halt=self._halt, log=self._log)

    # -- the steppable API ----------------------------------------------------------------------------
    async def step(self, event: MarketEvent) -> None:
        await self.ingest(event)
        await self.on_tick(self._clock.now_ms())

    async def ingest(self, event: MarketEvent) -> None:
        """One market event into memory, the scanner and the positions; a bad one is skipped."""
        if self.stopped:
            return
        self.last_event_ms = now = self._clock.now_ms()
        try:
            if isinstance(event, TickersUpdated):  # validated columns: the alerts (latency-critical) first
                self._scanner.on_event(event)
                self.memory.apply(event)
                self.feed_lag_ms = now - event.time_ms
            else:  # the memory refuses a corrupt value before the scanner takes it
                self.memory.apply(event)
                self._scanner.on_event(event)
        except Exception as exc:  # a corrupt event must never stop the bot
            self._log.warning("Market event skipped ({}): {}", type(event).__name__, exc)
            return
        if isinstance(event, FeedReconnected):
            self.feed_reconnects += 1
            self._log.warning("Market feed reconnected after {} ms without data", event.missed_ms)
        seen = price_seen(event)
        if seen is not None and seen[0] in self.positions.held:
            symbol, low, high, last = seen
            await self._lanes.run(symbol, lambda: self._guard(
                f"manage {symbol}", self.positions.on_price(symbol, low, high, last, now)))

    async def on_tick(self, now_ms: int) -> None:
        if self.stopped:
            return
        self.last_tick_ms = now_ms
        try:
            await self._tick(now_ms)
        finally:
            self._persist()

    async def _manage(self, symbol: str, now_ms: int) -> bool:
        async def manage() -> None:  # an OCO fill the stream told of, else the tick (timeout, poll, exit)
            if not await self.follow.settle(symbol, now_ms):
                await self.positions.tick_one(symbol, now_ms)

        return await self._guard(f"manage {symbol}", manage())

    async def _tick(self, now_ms: int) -> None:
        self.account.flush()
        paused = self.errors.paused(now_ms)  # rate limited: no exchange call but the kill switch's
        if not paused:
            await self._close_requested(now_ms)
            await self.entries.resolve_pending(now_ms, self._guard, self.follow.entry_changed)
            for symbol in list(self.positions.positions):
                await self._lanes.run(symbol, functools.partial(self._manage, symbol, now_ms))
        if await self._mark_equity(now_ms, refresh=not paused) or self.stopped or paused:
            return
        await self._reconcile_if_due(now_ms)
        if now_ms >= self._next_scan_ms and not self.stopped and not self.entries_paused:
            self._next_scan_ms = now_ms + self.config.scan_interval_ms
            await self._guard("universe", self._refresh_universe())
            await self._guard("scan", self.entries.scan(now_ms, self._guard))
        if now_ms >= self._next_stats_ms:
            self._next_stats_ms = now_ms + self.config.stats_interval_ms
            self._stats.report()

    async def quiet_tick(self, now_ms: int, equity: float | None = None) -> bool:
        """A tick at an instant `quiet_until(now_ms)` covers: what can still matter runs (equity marked, so
        the kill switch; the reconcile when due); the scan and the stats line, which could only say that
        entries are blocked, do not. `equity`: this instant's `quiet_equities` entry (else valued now).
        True when it did more than mark equity (a reconcile, the kill switch): the span is over."""
        if self.stopped:
            return True
        self.last_tick_ms = now_ms
        try:
            if await self._mark_equity(now_ms, equity=equity) or self.stopped:
                return True
            return await self._reconcile_if_due(now_ms)
        finally:
            self._persist()

    # -- decisions ------------------------------------------------------------------------------------
    async def _mark_equity(self, now_ms: int, *, refresh: bool = True, equity: float | None = None) -> bool:
        """Mark equity; True when the kill switch fired (everything was then closed, the loop stops)."""
        if not self.account.balances_fresh and not (
                refresh and await self._guard("balances", self.account.refresh())):
            return False
        equity = self._marked_equity() if equity is None else equity
        if not self.risk.update_equity(equity, now_ms):
            return False
        reason = self.risk.kill_switch_reason or "drawdown limit"
        await self.follow.stop()  # no order event may start a finisher beside the closing
        await self._lanes.drain()  # the exits under way finish first: nothing races the closing
        await close_everything(self._exchange, self.positions, self._guard, reason, now_ms, self.config.mode)
        self.entries.pending.clear()
        self.stopped_reason = f"kill switch: {reason}"
        if self.on_kill_switch is not None:
            self.on_kill_switch(reason)
        return True
