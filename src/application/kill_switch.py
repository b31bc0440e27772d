"""What the kill switch does once the risk book fires it (spec 6.3): close everything, then stop.

Every position is closed at market (its OCO cancelled first), then every order still open on the account
is cancelled: resting maker entries, and anything else left (the switch means "flat and idle").
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from loguru import logger

from application.manage_positions import ManagePositions
from domain.position import ExitReason
from domain.risk import RiskBook
from ports.exchange import Exchange
from ports.state_store import StateStore

Guard = Callable[[str, Awaitable[object]], Awaitable[bool]]


async def close_everything(exchange: Exchange, positions: ManagePositions, guard: Guard, reason: str,
                           now_ms: int, mode: str) -> list[str]:
    """Returns the symbols that could not be closed (logged CRITICAL: a human must close them)."""
    log = logger.bind(mode=mode)
    log.critical("KILL SWITCH ACTIVATED - {}: closing every position and stopping", reason)
    failed = await positions.close_all(ExitReason.KILL_SWITCH, now_ms)
    await guard("cancel open orders", _cancel_all_orders(exchange, guard))
    if failed:
        log.critical("Kill switch could not close {}: close them by hand", failed)
    return failed


async def _cancel_all_orders(exchange: Exchange, guard: Guard) -> None:
    lists_done: set[int] = set()
    for order in await exchange.open_orders(None):
        if order.order_list_id < 0:
            await guard(f"cancel order {order.symbol}", exchange.cancel_order(order.symbol, order.order_id))
        elif order.order_list_id not in lists_done:  # both legs are listed: cancel the list once
            lists_done.add(order.order_list_id)
            await guard(f"cancel OCO {order.symbol}",
                        exchange.cancel_order_list(order.symbol, order.order_list_id))


def reset_kill_switch(state: StateStore, risk: RiskBook) -> str:
    """A human decision (`python -m bootstrap reset-kill-switch`): clear the latched switch in the store,
    so the next start trades again; drawdown is measured afresh from the last equity seen."""
    snapshot = state.risk()
    if snapshot is not None:
        risk.restore(snapshot)
    if not risk.kill_switch_active:
        return "kill switch: not active, nothing to reset"
    reason = risk.kill_switch_reason
    risk.reset_kill_switch()
    state.save_risk(risk.to_dict())
    return f"kill switch reset (it fired on: {reason}); the next start trades again"
