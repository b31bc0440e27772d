"""The trading loop's face for its drivers: the backtest replay, the CLI's reports and the operator's console
read and steer the loop through these methods only (the loop's internals stay its own).

`TradingLoop` (trading_loop.py) inherits it; the attributes declared here are the ones it builds.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence, Set

from application.account import Account
from application.durable_run import DurableRun
from application.enter_trades import EnterTrades, MarketScanner
from application.error_policy import ErrorPolicy
from application.fills import PriceOf
from application.guard_model import GuardModel, ModelHealth
from application.holdings import PricePath, PricesOf
from application.manage_positions import ManagePositions
from application.market_memory import MarketMemory
from application.report_stats import StatsReporter
from application.symbol_lanes import SymbolLanes
from application.trading_config import LoopConfig
from domain.market_events import CandleUpdated
from domain.position import CompletedTrade, ExitReason, Position
from domain.risk import Approved, RiskBook, TradeIntent
from domain.values import Candle
from ports.model import Model


class LoopFace:
    risk: RiskBook
    config: LoopConfig
    memory: MarketMemory
    account: Account
    positions: ManagePositions
    entries: EnterTrades
    stopped_reason: str | None
    _model: Model
    _stats: StatsReporter
    _lanes: SymbolLanes
    _health: GuardModel | None
    _close_requests: list[str]
    errors: ErrorPolicy
    _equity_seen: tuple[tuple[object, ...], float] | None = None  # (what it depended on, the equity)

    def _marked_equity(self) -> float:
        """Equity at the last prices seen. One value per state: asked again while nothing it depends on
        moved (the positions, their marks, the capital, the dust's lots and prices), the value already
        found (a replay asks it several times a minute; the loop, the probe and the marks share it)."""
        positions = self.positions
        held, account = positions.marked_value(self.memory.current_price), self.account.equity_key()
        seen = self._equity_seen
        if account is None or seen is None or seen[0] != (held, positions.version, account):
            seen = (held, positions.version, account), self.account.equity(held)
            if account is not None:
                self._equity_seen = seen
        return seen[1]

    @property
    def model_health(self) -> ModelHealth | None:
        """Does the model still earn what it promised (guard_model.py); None when not watched."""
        return None if self._health is None else self._health.health

    def gate_closed_reason(self) -> str | None:
        """Why no signal is traded: the lab's verdict on the model (fixed for the run), else the model's
        own health guard; None while the gate is open."""
        if self.config.lab_gate_closed is not None:
            return self.config.lab_gate_closed
        return None if self._health is None else self._health.gate_closed_reason()

    def reopen_model_gate(self) -> str | None:
        """Open again the gate the model's health watch closed (an operator looked at the model): its samples
        are forgotten and it judges afresh. Returns why it was closed; None when the watch had not closed
        it (the lab's verdict, fixed for the run, is not reopened here)."""
        reason = None if self._health is None else self._health.gate_closed_reason()
        if self._health is not None and reason is not None:
            self._health.reset()
        return reason

    async def equity(self) -> float:
        """Quote balance, positions and dust at market (balances refreshed first when stale)."""
        if not self.account.balances_fresh:
            await self.account.refresh()
        return self._marked_equity()

    def could_enter(self, now_ms: int, equity: float) -> bool:
        """Would the risk book approve some trade now (kill switch, daily loss, counts, open positions,
        capital)? Asked with a neutral probe; each real signal is still checked on its own."""
        probe = TradeIntent("risk-probe", 1.0, 1.0 - self.config.thresholds.stop_loss_pct, 0.0, now_ms)
        return isinstance(self.risk.check(probe, now_ms, equity, self.busy_symbols()), Approved)

    def quiet_until(self, now_ms: int) -> tuple[str, int] | None:
        """(why, until when) a tick at `now_ms` can do nothing but mark equity and reconcile: nothing held,
        resting or in flight, no trade waiting for the journal nor close asked, the balances fresh, no
        exchange pause, and the risk book refusing every entry until a later instant (the daily or hourly
        caps, the daily loss). A driver may then call `quiet_tick` instead of `on_tick` for the instants
        before `until`, as long as each `quiet_tick` says it only marked equity. None otherwise."""
        account = self.account
        if self.stopped_reason is not None or self.busy_symbols() or self._close_requests or \
                not account.balances_fresh or not account.all_journaled or self.errors.paused(now_ms):
            return None
        return self.risk.entries_blocked_until(now_ms, 0)

    def quiet_equities(self, dust_prices: PricePath) -> list[float]:
        """Equity at each instant of a quiet span (`quiet_until` holds all along, so only the dust's
        prices move), valued in one pass over `dust_prices` (one column an instant): each is what
        `equity()` would say then."""
        held = self.positions.marked_value(self.memory.current_price)
        return self.account.equities_along(held, dust_prices)

    def quiet_inputs(self) -> tuple[object, ...]:
        """What quiet_equities depends on besides the dust's prices: while it stays equal, the values it
        gave still hold."""
        return *self.account.equity_inputs(), self.positions.cost(), tuple(self.positions.positions)

    def busy_symbols(self) -> frozenset[str]:
        """Symbols with an open position or a resting entry: no new entry, and their bars matter."""
        return self.entries.busy_symbols()

    def run_trades(self) -> Sequence[CompletedTrade]:
        """The trades journaled since this run started (the journal keeps every earlier run's too)."""
        return self._stats.run_trades()

    def open_positions(self) -> tuple[Position, ...]:
        return tuple(self.positions.positions.values())

    async def close_all(self, reason: ExitReason, now_ms: int) -> None:
        """Sell every open position at market (end of a replay)."""
        await self._lanes.drain()
        if self.positions.held:
            await self.positions.close_all(reason, now_ms)

    def price_dust_with(self, price_of: PriceOf, price_moves: Callable[[], Set[str] | None] | None,
                        prices_of: PricesOf | None = None,
                        prices_version: Callable[[], int] | None = None) -> None:
        """A replay's prices for the dust (account.py); live and paper keep the last prices seen."""
        self.account.price_dust_with(price_of, price_moves, prices_of, prices_version)

    def dust_value(self) -> float:
        return self.account.dust_value()

    def marked_equity(self) -> float:
        """Equity at the last prices seen (no exchange call: the console); while the balances are being
        re-read after a fill, the last equity the risk book saw."""
        return self._marked_equity() if self.account.balances_fresh else self.risk.last_equity

    @property
    def model_version(self) -> str:
        return self._model.version

    def request_close(self, symbol: str) -> bool:
        """Ask to sell one open position at market at the next tick (between two steps, never inside
        one). False when no position is open on `symbol`."""
        if symbol not in self.positions.held:
            return False
        if symbol not in self._close_requests:
            self._close_requests.append(symbol)
        return True

    def dust_cost(self) -> float:
        return self.account.dust_cost()

    # -- a replay's held minutes (application/backtest/held_span.py) ----------------------------------
    _scanner: MarketScanner
    _durable: DurableRun | None
    _guard: Callable[[str, Awaitable[object]], Awaitable[bool]]
    _next_scan_ms: int
    _next_stats_ms: int
    _next_sync_ms: int
    _resync_due: bool
    entries_paused: bool
    last_event_ms: int | None
    last_tick_ms: int | None

    def held_until(self, now_ms: int) -> tuple[str, int] | None:
        """(why every entry is refused, until when at most) the instants from `now_ms` on can only mark
        equity while no bar of a held symbol reaches an exit: only positions busy, each waiting on its OCO
        alone (nothing resting, in flight nor unjournaled, no close asked), the balances fresh, no exchange
        pause, no state store, and the open positions at the maximum (every entry refused for that until
        one closes). Until the next reconcile or stats line. None otherwise."""
        positions, account, risk = self.positions, self.account, self.risk
        if self.stopped_reason is not None or self._durable is not None or self._resync_due or \
                self._close_requests or not account.balances_fresh or not account.all_journaled or \
                self.errors.paused(now_ms) or self.entries.pending or not positions.quietly_held():
            return None
        held = positions.held  # busy == held, no pending: nothing in flight (never on a held symbol)
        if not held or self.busy_symbols() != held or risk.kill_switch_active or \
                len(held) < risk.limits.max_open_positions:
            return None
        reason = risk.entries_blocked(now_ms, len(held))
        return None if reason is None else (reason, min(self._next_sync_ms, self._next_stats_ms))

    async def pass_held(self, times_ms: Sequence[int], bars: Sequence[Sequence[Candle]],
                        equities: Sequence[float]) -> int:
        """The events and ticks of instants `held_until` covers, where no bar reaches an exit (`bars[i]`:
        each held symbol's bar closing at `times_ms[i]`, in name order; `equities[i]`: equity then),
        in one call: the memory, the scanner, the positions (ManagePositions.pass_bar), the risk book's
        marks and the scan's decisions as ingest and on_tick leave them. Stops before the first instant
        the kill switch would fire; returns how many instants were passed."""
        marked = self.risk.mark_equities(equities, times_ms)
        memory, scanner, positions = self.memory, self._scanner, self.positions
        for now_ms, candles in zip(times_ms[:marked], bars, strict=False):
            for candle in candles:
                event = CandleUpdated(candle)
                memory.apply(event)
                scanner.on_event(event)
                positions.pass_bar(candle.symbol, candle.low, candle.high, candle.close, now_ms)
        if marked:
            self.last_event_ms = self.last_tick_ms = times_ms[marked - 1]
            await self._guard("scans", self._held_scans(times_ms[:marked]))
        return marked

    async def _held_scans(self, times_ms: Sequence[int]) -> None:
        """The scans of a held span's ticks: each refused for the open positions (a decision said)."""
        guard = self._guard
        for now_ms in times_ms:
            if now_ms >= self._next_scan_ms and not self.entries_paused:
                self._next_scan_ms = now_ms + self.config.scan_interval_ms
                await guard("universe", self._universe_kept())
                await guard("scan", self.entries.scan(now_ms, guard))

    async def _universe_kept(self) -> None:
        """A scan's universe refresh inside a held span: a replay's scanner refreshes only when forced."""
        if await self._scanner.refresh_universe() is not None:
            raise RuntimeError("the universe changed inside a held span (only a replay's scanner may)")
