"""One scan (spec 2.2 steps 1-5, 3.3): candidates -> watch -> features -> model -> signals -> risk -> open.

Each signal is tried under the loop's guard, so a rejected order skips that signal only. Every decision
is logged with its reason: the signal, a risk rejection, the order, the position, or why nothing trades.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Protocol

from loguru import logger

from application.account import Account
from application.bound_logs import BoundLogs
from application.decision_log import DecisionLog
from application.fills import log_closed_trade
from application.manage_positions import ManagePositions
from application.market_memory import MarketMemory
from application.open_position import ClosedAtOnce, EntryPending, NotOpened, Opened, OpenOutcome, OpenPosition
from application.protection import min_entry_quote
from application.score_candidates import ScoreCandidates
from application.symbol_fees import SymbolFees
from application.trading_config import LoopConfig
from application.watchlist import Watchlist
from domain.market_events import MarketEvent
from domain.risk import Rejected, RiskBook, TradeIntent
from domain.rules import SymbolRules
from domain.signal import TradeSignal

Guard = Callable[[str, Awaitable[object]], Awaitable[bool]]
GateClosed = Callable[[], str | None]  # why no new entry may open (the model's own gate), or None
# Every line about signals says so when no edge is required of them (`--ignore-edge-gate`, or the gate
# turned off in the settings): a rehearsal's trades must never read as the model's.
EV_GATE_OFF_TAG = " [EV gate overridden: no edge required]"


class Candidate(Protocol):
    @property
    def symbol(self) -> str: ...


class MarketScanner(Protocol):
    """What the loop needs of the scanner (application/scan_market.ScanMarket provides it)."""

    def on_event(self, event: MarketEvent) -> None: ...

    def candidates(self, n: int) -> Sequence[Candidate]: ...

    async def refresh_universe(self, *, force: bool = False) -> Sequence[str] | None: ...


class EnterTrades:
    def __init__(self, *, scanner: MarketScanner, watchlist: Watchlist, score: ScoreCandidates,
                 open_position: OpenPosition, positions: ManagePositions, risk: RiskBook, account: Account,
                 memory: MarketMemory, rules: Mapping[str, SymbolRules], config: LoopConfig,
                 gate_closed: GateClosed | None = None, fees: SymbolFees | None = None,
                 equity: Callable[[], float] | None = None) -> None:
        """`equity()`: the loop's marked equity (shared with its other readers); by default the account's
        equity with the positions marked at the memory's prices."""
        self._scanner, self._watchlist, self._score = scanner, watchlist, score
        self._open, self._positions, self._risk, self._account = open_position, positions, risk, account
        self._memory, self._rules, self._config, self._gate_closed = memory, rules, config, gate_closed
        self._fees = fees if fees is not None else SymbolFees(config.execution.fee_table)
        self.pending: dict[str, EntryPending] = {}
        self._log = logger.bind(mode=config.mode)
        self._symbol_log = BoundLogs(self._log)
        self._decisions = DecisionLog(self._log)
        self._tag = EV_GATE_OFF_TAG if config.thresholds.min_expected_net_return_percent is None else ""
        self._equity = equity if equity is not None else self._marked_equity

    @property
    def decisions(self) -> DecisionLog:
        """The decisions said at INFO, the last ones kept for the operator's console."""
        return self._decisions

    def busy_symbols(self) -> frozenset[str]:
        held = self._positions.held
        if not self.pending and not self._open.any_in_flight:  # the usual case: asked several times a minute
            return held
        return held | frozenset(self.pending) | self._open.in_flight

    async def scan(self, now_ms: int, guard: Guard) -> None:
        blocked = self._risk.entries_blocked(now_ms, len(self.busy_symbols()))
        if blocked is not None:  # no signal could be approved: no watching, backfill nor scoring for it
            self._decisions.decision("no-trade", now_ms, "no trade: {}{}", blocked, self._tag,
                                     same_as=blocked.split(":")[0])
            return
        candidates = [c.symbol for c in self._scanner.candidates(self._config.top_candidates)]
        kept = await self._watchlist.follow(candidates, self.busy_symbols(), now_ms)
        await self._fees.load(kept)  # each symbol's own rates before its expected return is judged
        scored = self._score(kept, self.busy_symbols(), now_ms)
        for p in scored.predictions:
            self._symbol_log(p.symbol).debug(
                "Prediction {}: p_up={:.3f} conf={:.3f} move={:.3f}% ev={:.3f}%", p.symbol, p.probability_up,
                p.confidence, p.predicted_move_pct, p.expected_net_return_pct)
        if not scored.signals:
            reason = scored.no_trade_reason or "no trade"
            self._decisions.decision("no-trade", now_ms, "{}{}", reason, self._tag)
            return
        closed = self._gate_closed() if self._gate_closed is not None else None
        if closed is not None:  # the model watches itself: signals are still scored, never traded
            self._decisions.decision("gate-closed", now_ms, "Signal {} refused: {}", scored.signals[0].symbol,
                                     closed, same_as=closed)
            return
        for signal in scored.signals:
            if self._risk.kill_switch_active:
                return
            await guard(f"entry {signal.symbol}", self._try(signal, now_ms))

    async def _try(self, signal: TradeSignal, now_ms: int) -> None:
        log = self._symbol_log(signal.symbol)
        # Keyed on the symbol only: a signal repeated every scan while refused is logged once a minute.
        self._decisions.decision(f"signal:{signal.symbol}", now_ms, "Signal: BUY {} score {:.2f} | {}{}",
                                 signal.symbol, signal.score, signal.reasoning.split(" ev=")[0], self._tag,
                                 symbol=signal.symbol)
        log.debug("Signal: BUY {} @ {:.8g} (SL: {:.8g}, TP: {:.8g}) score {:.3f} | {}{}", signal.symbol,
                  signal.entry_price, signal.stop_loss_price, signal.take_profit_price, signal.score,
                  signal.reasoning, self._tag)
        rules = self._rules.get(signal.symbol)
        if rules is None:
            log.warning("No exchange rules for {}: signal skipped", signal.symbol)
            return
        if not self._account.balances_fresh:  # an entry earlier in this scan spent some quote
            await self._account.refresh()
        execution = self._config.execution
        stop_distance = 1 - signal.stop_loss_price / signal.entry_price
        minimum = min_entry_quote(rules, signal.entry_price, self._fees.taker(signal.symbol), stop_distance,
                                  execution.stop_limit_buffer_pct, execution.entry_fill_band_pct)
        intent = TradeIntent(signal.symbol, signal.entry_price, signal.stop_loss_price, minimum, now_ms)
        equity = self._equity()
        decision = self._risk.check(intent, now_ms, equity, self.busy_symbols())
        if isinstance(decision, Rejected):
            self._decisions.decision(f"risk:{signal.symbol}", now_ms, "Risk rejected {}: {}{}", signal.symbol,
                                     decision.reason, self._tag, same_as=decision.rule or None,
                                     symbol=signal.symbol)
            return
        size, quote = min(decision.size_usdt, self._account.quote_free), self._config.quote_asset
        if size < minimum:
            log.info("Risk approved {:.2f} {} on {} but only {:.2f} {} is free (< {:.2f}): skipped",
                     decision.size_usdt, quote, signal.symbol, self._account.quote_free, quote, minimum)
            return
        log.info("Risk approved {}: {:.2f} {} (equity {:.2f}){}", signal.symbol, size, quote, equity,
                 self._tag)
        outcome = await self._open(signal, size, rules, self._memory.book_top(signal.symbol))
        self.apply(signal.symbol, outcome, now_ms)

    def _marked_equity(self) -> float:
        return self._account.equity(self._positions.marked_value(self._memory.current_price))

    async def resolve_pending(self, now_ms: int, guard: Guard,
                              changed: Callable[[int], bool] | None = None) -> None:
        """Entries still open: resting maker orders, and orders whose answer was lost. `changed(order_id)`
        (the order events) says whether a resting order needs a query before its deadline."""
        if not self.pending and not self._open.any_in_flight:  # the usual tick: nothing to follow
            return
        for symbol, pending in list(self.pending.items()):
            if changed is not None and now_ms < pending.deadline_ms and not changed(pending.order.order_id):
                continue
            await guard(f"maker entry {symbol}", self._resolve(symbol, pending, now_ms))
        for symbol in self._open.in_flight:
            await guard(f"lost entry {symbol}", self._recover(symbol, now_ms))

    async def _recover(self, symbol: str, now_ms: int) -> None:
        self.apply(symbol, await self._open.recover(symbol), now_ms)

    async def _resolve(self, symbol: str, pending: EntryPending, now_ms: int) -> None:
        outcome = await self._open.resolve(pending, self._rules[symbol])
        self.pending.pop(symbol, None)
        self.apply(symbol, outcome, now_ms)

    def apply(self, symbol: str, outcome: OpenOutcome, now_ms: int) -> None:
        match outcome:
            case Opened(position=position, lost_sale=lost_sale):
                self._positions.add(position, lost_sale)
                self._risk.record_entry(position.symbol, now_ms)
                self._account.balances_changed()
            case ClosedAtOnce(trade=trade, remainder=remainder):
                self._risk.record_entry(trade.symbol, now_ms)
                log_closed_trade(trade, self._config.mode)
                self._account.record(trade)
                if remainder is not None:
                    self._positions.add(remainder)
            case EntryPending(signal=signal):
                self.pending[signal.symbol] = outcome
                self._account.balances_changed()
            case NotOpened(reason=reason, bought=bought):
                self._symbol_log(symbol).info("No entry on {}: {}", symbol, reason)
                if bought:  # it bought, then could neither protect nor sell: dust, but an entry all the same
                    self._risk.record_entry(symbol, now_ms)
                    self._account.balances_changed()
