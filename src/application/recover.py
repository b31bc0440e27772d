"""Start-up recovery (issue 14), before any new entry: the state store against the exchange.

1. (Before, durable_run.py) the risk book and the dust come back (the kill switch stays latched, the day's
   loss holds), and a ban still running is waited out.
2. Every intent whose fate is unknown is looked up by its client id: found, it gets its outcome (a resting
   entry of the last run is cancelled); not found, it is marked NOT_SENT (a crash between write and send).
3. Every stored position: under its open OCO it is re-adopted (its timeout runs from its real entry); its
   OCO filled while nobody watched: the round trip is journaled once, at its real exit; its sale went
   through: the same; otherwise it is protected at once (or sold, by policy; sold when its time is up).
4. Orders of this bot that no position owns: an OCO over a recorded entry is adopted with it (policy adopt),
   anything else of ours is cancelled, never left to fill the algo-order quota. Orders of others are left.
5. A holding the bot bought (a recorded entry) that nothing protects is protected (or sold) by policy;
   coins without any record follow `unrecorded_holdings` (default: left alone, they are not its capital).
Fails closed (RecoveryFailed, one line) when a stored position is not on the account and no order of ours
explains where it went.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from decimal import Decimal

from loguru import logger

from application.account import Account
from application.fills import FeeModel, executed, trade_from_sales
from application.manage_positions import ManagePositions, leg_reason
from application.recorded_exchange import record_list, record_order
from application.recover_holdings import (
    ProtectHolding,
    RecoveryReport,
    forget_simulated_account,
    open_entry,
    position_from_entry,
    position_under_oco,
)
from application.trading_config import HoldingPolicy, LoopConfig, OrphanOrderPolicy
from domain.orders import OrderListReport, OrderReport, OrderStatus
from domain.position import ExitReason, Position
from domain.risk import RiskBook
from domain.rules import SymbolRules
from domain.trading_state import IntentState, OrderIntent, OrderPurpose, is_ours
from ports.clock import Clock
from ports.errors import OrderNotFound
from ports.exchange import Exchange
from ports.order_lookup import OrderLookup
from ports.state_store import StateStore

PriceAtStart = Callable[[str], Awaitable[float | None]]


class RecoveryFailed(Exception):
    """The store and the exchange disagree in a way recovery cannot resolve: trading must not start."""


class Recover:
    def __init__(self, *, exchange: Exchange, lookup: OrderLookup | None, state: StateStore,
                 positions: ManagePositions, account: Account, risk: RiskBook, fees: FeeModel, clock: Clock,
                 config: LoopConfig, price_at_start: PriceAtStart | None = None) -> None:
        self._exchange, self._lookup, self._state, self._positions = exchange, lookup, state, positions
        self._price_at_start = price_at_start
        self._account, self._risk, self._fees, self._clock, self._config = account, risk, fees, clock, config
        self._policy = config.recovery
        self._protect = ProtectHolding(exchange, clock, positions, config.execution, config.mode)
        self._log = logger.bind(mode=config.mode)

    async def __call__(self, rules: Mapping[str, SymbolRules]) -> RecoveryReport:
        report = RecoveryReport()
        if not self._policy.exchange_remembers:
            forget_simulated_account(self._state, report, self._log)
            return report
        await self._resolve_intents(report)
        lists = await self._open_lists()
        for position in self._state.positions():
            if position.symbol not in rules:
                raise RecoveryFailed(f"{position.symbol}: a stored position on a symbol the exchange does "
                                     "not list")
            await self._recover_position(position, lists, rules[position.symbol], report)
        owned = {p.oco_list_id for p in self._positions.positions.values()}
        for listing in lists.values():
            if listing.order_list_id not in owned:
                await self._orphan_list(listing, rules, report)
        await self._naked_holdings(rules, report)
        self._log.info("Recovery: {}", report.line())
        return report

    # -- intents ------------------------------------------------------------------------------------------
    async def _resolve_intents(self, report: RecoveryReport) -> None:
        for intent in self._state.unresolved_intents():
            found = await self._find(intent)
            if found is None:
                if self._lookup is not None:
                    self._state.record_outcome(intent.client_id, IntentState.NOT_SENT)
                    report.not_sent += 1
                continue
            if isinstance(found, OrderReport) and intent.purpose is OrderPurpose.ENTRY \
                    and not found.status.is_final:  # a resting entry of the last run: its signal is stale
                found = await self._exchange.cancel_order(found.symbol, found.order_id)
                report.cancelled += 1
            if isinstance(found, OrderListReport):
                record_list(self._state, found)
            else:
                record_order(self._state, found)

    async def _find(self, intent: OrderIntent) -> OrderReport | OrderListReport | None:
        if self._lookup is None:
            return None
        if intent.purpose is OrderPurpose.PROTECT:
            return await self._lookup.find_order_list(intent.symbol, intent.client_id)
        return await self._lookup.find_order(intent.symbol, intent.client_id)

    async def _open_lists(self) -> dict[int, OrderListReport]:
        lists: dict[int, OrderListReport] = {}
        for order in await self._exchange.open_orders(None):
            if order.order_list_id >= 0 and order.order_list_id not in lists:
                lists[order.order_list_id] = await self._exchange.get_order_list(order.symbol,
                                                                                 order.order_list_id)
            elif order.order_list_id < 0 and is_ours(order.client_order_id):
                await self._exchange.cancel_order(order.symbol, order.order_id)  # a stale resting entry
        return lists

    # -- stored positions ---------------------------------------------------------------------------------
    async def _recover_position(self, position: Position, lists: Mapping[int, OrderListReport],
                                rules: SymbolRules, report: RecoveryReport) -> None:
        symbol, now = position.symbol, self._clock.now_ms()
        listing = lists.get(position.oco_list_id) if position.oco_list_id >= 0 else None
        if listing is not None:
            self._positions.add(position)
            report.adopted.append(symbol)
            self._log.bind(symbol=symbol).info("Recovery: {} re-adopted under its OCO {}", symbol,
                                               position.oco_list_id)
            return
        if position.oco_list_id >= 0:
            done = await self._list(symbol, position.oco_list_id)
            leg = done.filled_leg if done is not None else None
            if leg is not None and leg.status is OrderStatus.FILLED:
                self._journal(position, [leg], leg_reason(leg), rules, report)
                return
            position = replace(position, oco_list_id=-1)
        sales = await self._sales_since(position)
        if sales:
            sold = executed(sales)
            reason = ExitReason.TIMEOUT if position.held_sec(now) >= position.policy.timeout_sec \
                else ExitReason.UNPROTECTED
            if rules.round_qty(Decimal(repr(position.quantity)) - sold, market=True) <= 0:
                self._journal(position, sales, reason, rules, report)
                return
            raise RecoveryFailed(f"{symbol}: a sale of {sold} of the stored {position.quantity} went through "
                                 "while the bot was down and the rest is unaccounted for")
        held = await self._held(rules.base_asset)
        if rules.round_qty(held, market=True) < rules.round_qty(Decimal(repr(position.quantity)),
                                                                  market=True):
            raise RecoveryFailed(f"{symbol}: the store holds a position of {position.quantity} "
                                 f"{rules.base_asset}, "
                                 f"the account has {held} and no order of ours explains the difference")
        report.adopted.append(symbol)
        report.note(symbol, await self._protect(position, rules, self._policy.naked_holdings,
                                                "its OCO is gone"))

    async def _list(self, symbol: str, list_id: int) -> OrderListReport | None:
        try:
            return await self._exchange.get_order_list(symbol, list_id)
        except OrderNotFound:
            return None

    async def _sales_since(self, position: Position) -> list[OrderReport]:
        """The exit sales of this position that executed (looked up again by their client ids): the exit
        intents written after its entry's (a sale of the position before may share its millisecond)."""
        if self._lookup is None:
            return []
        intents = list(self._state.intents_for(position.symbol))
        start = next((k for k, i in enumerate(intents) if i.purpose is OrderPurpose.ENTRY
                      and position.entry_order_id > 0 and i.order_id == position.entry_order_id), None)
        after = intents[start + 1:] if start is not None else \
            [i for i in intents if i.created_ms > position.entry_time_ms]
        sales = []
        for intent in after:
            if intent.purpose is OrderPurpose.EXIT \
                    and intent.state in (IntentState.FILLED, IntentState.PENDING, IntentState.ACKNOWLEDGED):
                found = await self._lookup.find_order(intent.symbol, intent.client_id)
                if found is not None and found.executed_quantity > 0:
                    sales.append(found)
        return sales

    def _journal(self, position: Position, sales: list[OrderReport], reason: ExitReason, rules: SymbolRules,
                 report: RecoveryReport) -> None:
        """A round trip that ended while the bot was down: journaled once (the store keeps its key). One the
        last run journaled itself, killed before it dropped the position, is only dropped: its key holds that
        run's exit time, so a second record under this run's time would count the round trip twice."""
        if any(t.symbol == position.symbol and t.entry_time_ms == position.entry_time_ms
               for t in self._state.trades()):
            self._state.drop_position(position.symbol)
            self._log.bind(symbol=position.symbol).info(
                "Recovery: {} was journaled by the last run before it stopped: its position dropped",
                position.symbol)
            return
        trade = trade_from_sales(position, sales, reason, self._clock.now_ms(), self._fees, rules)
        self._account.record(trade)
        self._state.drop_position(position.symbol)
        report.journaled += 1
        self._log.bind(symbol=position.symbol).warning(
            "Recovery: {} closed while the bot was down ({} @ {:.8g}, PnL {:+.4f} USDT): journaled",
            position.symbol, reason.value, trade.exit_price, trade.pnl_usdt)

    # -- orders and holdings nobody owns ------------------------------------------------------------------
    async def _orphan_list(self, listing: OrderListReport, rules: Mapping[str, SymbolRules],
                           report: RecoveryReport) -> None:
        symbol = listing.symbol
        if not is_ours(listing.list_client_id):
            self._log.bind(symbol=symbol).warning("Recovery: OCO {} on {} is not this bot's: left untouched",
                                                  listing.order_list_id, symbol)
            return
        entry = open_entry(self._state, symbol)
        if self._policy.orphan_orders is OrphanOrderPolicy.ADOPT and entry is not None and symbol in rules:
            found = await self._find(entry)
            base = position_from_entry(entry, found if isinstance(found, OrderReport) else None,
                                       Decimal(repr(float(listing.orders[0].quantity))), rules[symbol],
                                       self._fees, self._config.exit_policy)
            self._positions.add(position_under_oco(base, listing))
            self._risk.record_entry(symbol, base.entry_time_ms)
            report.adopted.append(symbol)
            self._log.bind(symbol=symbol).warning("Recovery: OCO {} of {} adopted with its recorded entry",
                                                  listing.order_list_id, symbol)
            return
        await self._exchange.cancel_order_list(symbol, listing.order_list_id)
        report.cancelled += 1
        self._log.bind(symbol=symbol).warning("Recovery: orphaned OCO {} of {} cancelled",
                                              listing.order_list_id, symbol)

    async def _naked_holdings(self, rules: Mapping[str, SymbolRules], report: RecoveryReport) -> None:
        balances = await self._exchange.balances()
        held = {rules[s].base_asset for s in self._positions.held if s in rules}
        quote = self._config.quote_asset
        for asset, balance in sorted(balances.items()):
            symbol = f"{asset}{quote}"
            pair = rules.get(symbol)
            if pair is None or asset in held:
                continue
            free = balance.free - self._positions.dust.quantity(symbol)
            entry = open_entry(self._state, symbol)
            if entry is None or entry.executed <= 0:
                if asset in self._config.orphan_ignored_assets:
                    continue  # BNB kept for fees is not ours; BNB this bot bought (an entry) is protected
                await self._unrecorded(pair, free, report)
                continue
            found = await self._find(entry)
            position = position_from_entry(entry, found if isinstance(found, OrderReport) else None, free,
                                           pair, self._fees, self._config.exit_policy)
            if pair.round_qty(free, market=True) <= 0 or \
                    not pair.meets_min_notional(free, Decimal(repr(position.entry_price))):
                continue
            self._risk.record_entry(symbol, position.entry_time_ms)
            report.note(symbol, await self._protect(position, pair, self._policy.naked_holdings,
                                                    "bought, never protected"))

    async def _unrecorded(self, pair: SymbolRules, free: Decimal, report: RecoveryReport) -> None:
        """Coins on the account without any record of this bot: by policy (default: left alone)."""
        price = await self._price_at_start(pair.symbol) if self._price_at_start is not None else None
        if price is None or pair.round_qty(free, market=True) <= 0 or \
                not pair.meets_min_notional(free, Decimal(repr(price))):
            return  # dust, or nothing to value it with
        policy, exits = self._policy.unrecorded_holdings, self._config.exit_policy
        stop, target = price * (1 - exits.stop_loss_pct), price * (1 + exits.take_profit_pct)
        position = Position(pair.symbol, price, float(free), self._clock.now_ms(), stop, target, 0.0, exits)
        if policy is not HoldingPolicy.LEAVE:
            self._risk.record_entry(pair.symbol, position.entry_time_ms)
        report.note(pair.symbol, await self._protect(position, pair, policy, "no record of it"))

    async def _held(self, asset: str) -> Decimal:
        balance = (await self._exchange.balances()).get(asset)
        return balance.total if balance is not None else Decimal(0)
