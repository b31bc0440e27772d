"""Start-up recovery's parts (recover.py decides): load the last run's book, find the entry a holding came
from, rebuild a position from it, protect a holding at once (an OCO, or a market sale when none is
possible) by policy, and the report of it all.

A position rebuilt from an entry keeps the entry's real fill (price, time, fee) so its timeout and its
trade's PnL are the ones the first run would have had.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import TYPE_CHECKING

from loguru import logger

from application.exchange_calls import client_order_id, with_retries
from application.fills import FeeModel
from application.holdings import DustLedger, Lot
from application.manage_positions import ManagePositions
from application.protection import plan_protection, take_profit_type
from application.trading_config import ExecutionConfig, HoldingPolicy
from domain.orders import OcoRequest, OrderListReport, OrderReport, OrderType
from domain.position import ExitPolicy, ExitReason, Position
from domain.risk import RiskBook
from domain.rules import SymbolRules
from domain.trading_state import IntentState, OrderIntent, OrderPurpose
from ports.clock import Clock
from ports.errors import ExchangeError
from ports.exchange import Exchange
from ports.state_store import StateStore

if TYPE_CHECKING:
    from loguru import Logger

RECOVERY_ATTEMPT = 1  # the "-1" suffix: a recovery's OCO never reuses the id of the run's own OCO


def position_from_entry(intent: OrderIntent, report: OrderReport | None, held: Decimal, rules: SymbolRules,
                        fees: FeeModel, policy: ExitPolicy) -> Position:
    """The position a recorded entry opened, holding `held` base units (what the account shows)."""
    if report is not None and report.executed_quantity > 0:
        price, time_ms = float(report.average_price), report.time_ms or intent.created_ms
        bought, fee = fees.received_base(report, rules), fees.fee_usdt(report, rules)
    else:
        price, time_ms = float(intent.cumulative_quote / intent.executed), intent.created_ms
        bought, fee = intent.executed, float(intent.cumulative_quote) * fees.taker_for(intent.symbol)
    quantity = min(held, bought) if bought > 0 else held
    share = float(quantity / bought) if bought > 0 else 1.0
    return Position(symbol=intent.symbol, entry_price=price, quantity=float(quantity), entry_time_ms=time_ms,
                    stop_loss_price=price * (1 - policy.stop_loss_pct),
                    take_profit_price=price * (1 + policy.take_profit_pct), entry_fee_usdt=fee * share,
                    policy=policy, entry_order_id=report.order_id if report is not None else 0)


def position_under_oco(position: Position, listing: OrderListReport) -> Position:
    """`position` as the OCO `listing` protects it: its quantity and its leg prices."""
    stops = (OrderType.STOP_LOSS, OrderType.STOP_LOSS_LIMIT)
    stop = next((leg for leg in listing.orders if leg.type in stops), None)
    target = next((leg for leg in listing.orders if leg is not stop), None)
    quantity = float(listing.orders[0].quantity) if listing.orders else position.quantity
    share = quantity / position.quantity if position.quantity else 1.0
    return replace(position, quantity=quantity, entry_fee_usdt=position.entry_fee_usdt * share,
                   oco_list_id=listing.order_list_id,
                   stop_loss_price=float(stop.stop_price) if stop is not None else position.stop_loss_price,
                   take_profit_price=float(target.price or target.stop_price) if target is not None
                   else position.take_profit_price)


class ProtectHolding:
    def __init__(self, exchange: Exchange, clock: Clock, positions: ManagePositions,
                 execution: ExecutionConfig, mode: str) -> None:
        self._exchange, self._clock, self._positions = exchange, clock, positions
        self._execution, self._mode = execution, mode

    async def __call__(self, position: Position, rules: SymbolRules, policy: HoldingPolicy, why: str) -> str:
        """Adopt `position` (no OCO yet) and protect it by `policy`; returns what was done."""
        log = logger.bind(symbol=position.symbol, mode=self._mode)
        if policy is HoldingPolicy.LEAVE:
            log.warning("Recovery: {} {} held without protection ({}): left untouched (policy leave)",
                        position.quantity, position.symbol, why)
            return "left"
        now = self._clock.now_ms()
        self._positions.add(replace(position, oco_list_id=-1))
        if policy is HoldingPolicy.PROTECT and position.held_sec(now) < position.policy.timeout_sec:
            refusal = await self._protect(position, rules)
            if refusal is None:
                return "protected"
            log.error("Recovery: {} could not be protected ({}): selling it at market", position.symbol,
                      refusal)
        reason = ExitReason.TIMEOUT if position.held_sec(now) >= position.policy.timeout_sec \
            else ExitReason.UNPROTECTED
        log.warning("Recovery: {} {} ({}): sold at market ({})", position.quantity, position.symbol, why,
                    reason.value)
        await self._positions.close(position.symbol, reason, now)
        return "sold"

    async def _protect(self, position: Position, rules: SymbolRules) -> str | None:
        policy, execution = position.policy, self._execution
        plan = plan_protection(rules, Decimal(repr(position.quantity)), Decimal(repr(position.entry_price)),
                               policy.take_profit_pct, policy.stop_loss_pct, execution.stop_limit_buffer_pct)
        if isinstance(plan, str):
            return plan
        request = OcoRequest(position.symbol, plan.quantity, plan.take_profit, plan.stop, plan.stop_limit,
                             client_order_id("o", position.symbol, self._clock.now_ms(), RECOVERY_ATTEMPT),
                             take_profit_type=take_profit_type(rules, execution.maker_take_profit))
        try:
            oco = await with_retries(lambda: self._exchange.place_oco(request), clock=self._clock,
                                     policy=execution.retry, what=f"recovery OCO {position.symbol}")
        except ExchangeError as exc:
            return str(exc)
        protected = replace(position_under_oco(position, oco), stop_loss_price=float(plan.stop),
                            take_profit_price=float(plan.take_profit))
        self._positions.add(protected)
        logger.bind(symbol=position.symbol, mode=self._mode).warning(
            "Recovery: {} {} protected at once by OCO {} (TP {:f}, SL {:f})", plan.quantity, position.symbol,
            oco.order_list_id, plan.take_profit, plan.stop)
        return None


@dataclass
class RecoveryReport:
    adopted: list[str] = field(default_factory=list)
    journaled: int = 0
    protected: list[str] = field(default_factory=list)
    sold: list[str] = field(default_factory=list)
    cancelled: int = 0
    not_sent: int = 0

    def note(self, symbol: str, action: str) -> None:
        if action == "protected":
            self.protected.append(symbol)
        elif action == "sold":
            self.sold.append(symbol)

    def line(self) -> str:
        return (f"{len(self.adopted)} position(s) re-adopted, {self.journaled} round trip(s) journaled, "
                f"{len(self.protected)} protected, {len(self.sold)} sold, "
                f"{self.cancelled} order(s) cancelled, "
                f"{self.not_sent} intent(s) never sent")


def load_state(state: StateStore, risk: RiskBook, dust: DustLedger) -> None:
    """The risk book (kill switch, day PnL, counters, peak, realised PnL) and the dust of the last run."""
    snapshot = state.risk()
    if snapshot is not None:
        risk.restore(snapshot)
    dust.restore({s: Lot(q, price, fee) for s, (q, price, fee) in state.dust().items()})


def open_entry(state: StateStore, symbol: str) -> OrderIntent | None:
    """The last entry that bought and whose round trip no sale nor recorded trade has closed since
    (one position per symbol at a time: a trade that entered once the entry was sent is its own; the
    trade before it may have exited in that very millisecond)."""
    last: OrderIntent | None = None
    for intent in state.intents_for(symbol):
        if intent.state is not IntentState.FILLED:
            continue
        if intent.purpose is OrderPurpose.ENTRY:
            last = intent
        elif last is not None:
            last = None  # sold after it: that entry's round trip is over
    if last is not None and any(t.symbol == symbol and t.entry_time_ms >= last.created_ms
                                for t in state.trades()):
        return None
    return last


def forget_simulated_account(state: StateStore, report: RecoveryReport, log: Logger) -> None:
    """Paper: the simulated account of the last run is gone with it; only its risk book is kept."""
    for position in state.positions():
        log.bind(symbol=position.symbol).warning(
            "Recovery: {} of the last paper run dropped (a paper account restarts fresh)", position.symbol)
        state.drop_position(position.symbol)
    for intent in state.unresolved_intents():
        state.record_outcome(intent.client_id, IntentState.NOT_SENT)
        report.not_sent += 1
