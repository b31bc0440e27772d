"""The research kernel's entry, compiled: OpenPosition's market buy (or its resting maker entry) and
ProtectEntry's OCO over the holding (with the symbol's dust), and the dust ledger's bookkeeping
(holdings.Lot arithmetic)."""

from __future__ import annotations

import math

import numpy as np

from adapters.kernels.research_dust import cost_dust, value_dust
from adapters.kernels.research_positions import finish
from adapters.kernels.research_state import (
    AHEAD_N,
    DUST_FEE,
    DUST_LAST,
    DUST_PX,
    DUST_Q,
    DUST_U,
    ENTRY,
    ENTRY_DEN,
    ENTRY_MS,
    ENTRY_NUM,
    EPS,
    EXCH,
    FEE,
    FILLED,
    HAS_MPLAST,
    HIGH,
    LAST_POLL,
    LATENCY,
    NHELD,
    NOW,
    NPEND,
    OCO_MS,
    OPEN,
    PEND,
    PEND_MS,
    PEND_PX,
    PEND_U,
    QTY,
    QTY_U,
    QUOTE_FREE,
    R_UNPROTECTED,
    SL_PCT,
    SLIP,
    STOP,
    TAKER,
    TP,
    TP_PCT,
    TRAIL,
    UNIT,
    kernel,
    quote_fee,
    tick_down,
    tick_up,
)


@kernel()
def buy(s: int, size: float, fp: np.ndarray, ip: np.ndarray, pos_f: np.ndarray, pos_i: np.ndarray,
        acc_f: np.ndarray, acc_i: np.ndarray, held: np.ndarray, tick: float, inv_tick: float,
        step_u: int, closes: np.ndarray, dusty: np.ndarray) -> bool:
    """OpenPosition (a quoteOrderQty market buy) + ProtectEntry: fill at the simulator's last price
    (the next bar's open) slipped up to the tick, then `hold`. False when nothing was bought (below
    one step)."""
    acc_i[NOW] += ip[LATENCY]
    price = tick_up(pos_f[s, EXCH] * (1 + fp[SLIP]), tick, inv_tick)
    quote = math.floor(size * UNIT + EPS) / UNIT
    steps = math.floor(quote / price / (step_u / UNIT) + EPS)
    qty_u = steps * step_u
    if qty_u <= 0:
        return False
    acc_f[QUOTE_FREE] -= price * (qty_u / UNIT)
    hold(s, price, qty_u, fp, ip, pos_f, pos_i, acc_f, acc_i, held, tick, inv_tick, step_u, closes, dusty)
    return True


@kernel()
def place_maker(s: int, size: float, bid: float, fp: np.ndarray, ip: np.ndarray, pos_f: np.ndarray,
                pos_i: np.ndarray, acc_f: np.ndarray, acc_i: np.ndarray, pend: np.ndarray, tick: float,
                inv_tick: float, step_u: int) -> None:
    """OpenPosition._place_maker: a LIMIT_MAKER BUY at the bid (the signal bar's close) rounded down to
    the tick, for the size's whole lot steps. The simulator refuses it when it would take: its last price
    (the next bar's open) is at or below it. Else it rests (its quote locked) until the next tick."""
    price = tick_down(bid, tick, inv_tick)
    qty_u = math.floor(size / price / (step_u / UNIT) + EPS) * step_u if price > 0 else 0
    if qty_u <= 0:
        return
    acc_i[NOW] += ip[LATENCY]
    if price >= pos_f[s, EXCH]:
        return
    acc_f[QUOTE_FREE] -= price * (qty_u / UNIT)
    pos_i[s, PEND], pos_i[s, PEND_U], pos_i[s, PEND_MS], pos_f[s, PEND_PX] = 1, qty_u, acc_i[NOW], price
    pend[acc_i[NPEND]] = s
    acc_i[NPEND] += 1


@kernel()
def resolve_maker(s: int, fp: np.ndarray, ip: np.ndarray, pos_f: np.ndarray, pos_i: np.ndarray,
                  acc_f: np.ndarray, acc_i: np.ndarray, held: np.ndarray, tick: float, inv_tick: float,
                  step_u: int, min_notional: float, closes: np.ndarray, dusty: np.ndarray, out_i: np.ndarray,
                  out_f: np.ndarray) -> int:
    """OpenPosition.resolve at the tick after the placement (the entry's deadline has passed): filled
    (the bar traded through it) -> `hold` at the order's price from now; else cancelled, quote unlocked.
    The OCO is refused when the last price (the bar's close) is not between its legs: the holding is
    sold at market at once (ProtectEntry._close_unprotected), unless that sale is below the minimum
    notional (at the entry price, or at the simulator's last price once sent): then all of it is dust.
    Returns 1 when something was bought."""
    price, qty_u = pos_f[s, PEND_PX], pos_i[s, PEND_U]
    filled = pos_i[s, PEND] == 2
    pos_i[s, PEND] = 0
    if not filled:
        acc_i[NOW] += ip[LATENCY]  # the cancel
        acc_f[QUOTE_FREE] += price * (qty_u / UNIT)
        return 0
    dust_u, dust_px, dust_fee = pos_i[s, DUST_U], pos_f[s, DUST_PX], pos_f[s, DUST_FEE]  # `hold` takes it
    hold(s, price, qty_u, fp, ip, pos_f, pos_i, acc_f, acc_i, held, tick, inv_tick, step_u, closes, dusty)
    last = pos_f[s, EXCH]
    if pos_i[s, OPEN] and not pos_f[s, TP] > last > pos_f[s, STOP]:
        sellable = pos_i[s, QTY_U] / UNIT  # the holding at the market lot step (market_sale_problem)
        if sellable * price >= min_notional:
            acc_i[NOW] += ip[LATENCY]  # the market sale (the simulator judges it at its last price)
            if sellable * last >= min_notional:
                sale = tick_down(last * (1 - fp[SLIP]), tick, inv_tick)
                finish(s, sale, quote_fee(sale, pos_i[s, QTY_U], fp[TAKER]), R_UNPROTECTED, pos_f, pos_i,
                       acc_f, acc_i, held, out_i, out_f)
                return 1
        commission_u = (qty_u * ip[ENTRY_NUM] + ip[ENTRY_DEN] - 1) // ip[ENTRY_DEN]
        bought_u, bought_fee = qty_u - commission_u, commission_u * price / UNIT
        lot_u, lot_px, lot_fee = lot_add(bought_u, price, bought_fee, dust_u, dust_px, dust_fee)
        unsellable(s, price, lot_u, lot_px, lot_fee, pos_f, pos_i, acc_f, acc_i, held, closes, dusty)
    return 1


@kernel()
def unsellable(s: int, price: float, lot_u: int, lot_px: float, lot_fee: float, pos_f: np.ndarray,
               pos_i: np.ndarray, acc_f: np.ndarray, acc_i: np.ndarray, held: np.ndarray, closes: np.ndarray,
               dusty: np.ndarray) -> None:
    """ProtectEntry._unsellable: no position, no trade; what was bought and the dust it took are dust
    again (last seen at the entry price), an entry all the same (the caller records it)."""
    pos_i[s, OPEN], pos_i[s, FILLED], pos_i[s, HAS_MPLAST] = 0, 0, 0
    nheld, k = acc_i[NHELD], 0
    while held[k] != s:
        k += 1
    for j in range(k, nheld - 1):
        held[j] = held[j + 1]
    acc_i[NHELD] = nheld - 1
    set_dust(s, lot_u, lot_px, lot_fee, price, closes, pos_f, pos_i, acc_f, acc_i, dusty)


@kernel()
def hold(s: int, price: float, qty_u: int, fp: np.ndarray, ip: np.ndarray, pos_f: np.ndarray,
         pos_i: np.ndarray, acc_f: np.ndarray, acc_i: np.ndarray, held: np.ndarray, tick: float,
         inv_tick: float, step_u: int, closes: np.ndarray, dusty: np.ndarray) -> None:
    """ProtectEntry after a buy filled at `price`: commission in base rounded up, the holding (with the
    symbol's dust) protected by an OCO over its lot-step multiple; what the step leaves is dust."""
    commission_u = (qty_u * ip[ENTRY_NUM] + ip[ENTRY_DEN] - 1) // ip[ENTRY_DEN]
    received_u = qty_u - commission_u
    fee_usdt = commission_u * price / UNIT
    entry_ms = acc_i[NOW]
    dust_u, dust_px, dust_fee = pos_i[s, DUST_U], pos_f[s, DUST_PX], pos_f[s, DUST_FEE]
    plan_u = (received_u + dust_u) // step_u * step_u
    take = tick_up(price * (1 + fp[TP_PCT]), tick, inv_tick)
    stop = tick_up(price * (1 - fp[SL_PCT]), tick, inv_tick)
    acc_i[NOW] += ip[LATENCY]  # the OCO
    # take_first(bought, dust, plan): from the purchase first, then from the dust
    taken_u = min(plan_u, received_u)
    share = taken_u / received_u if received_u > 0 else 0.0
    p_u, p_px, p_fee = taken_u, price, fee_usdt * share
    l_u, l_px, l_fee = received_u - taken_u, price, fee_usdt * (1 - share)
    if dust_u > 0:
        more_u = min(max(plan_u - taken_u, 0), dust_u)
        d_share = more_u / dust_u
        p_u, p_px, p_fee = lot_add(p_u, p_px, p_fee, more_u, dust_px, dust_fee * d_share)
        l_u, l_px, l_fee = lot_add(l_u, l_px, l_fee, dust_u - more_u, dust_px, dust_fee * (1 - d_share))
    if plan_u <= 0:  # nothing protectable: all of it stays dust (outside the parity domain)
        l_u, l_px, l_fee = lot_add(p_u, p_px, p_fee, l_u, l_px, l_fee)
        set_dust(s, l_u, l_px, l_fee, price, closes, pos_f, pos_i, acc_f, acc_i, dusty)
        return
    qty = p_u / UNIT
    fee = p_fee if p_px == price else (p_px * qty + p_fee) - price * qty
    set_dust(s, l_u, l_px, l_fee, price, closes, pos_f, pos_i, acc_f, acc_i, dusty)
    pos_i[s, OPEN], pos_i[s, QTY_U], pos_i[s, ENTRY_MS] = 1, p_u, entry_ms
    pos_i[s, OCO_MS], pos_i[s, LAST_POLL], pos_i[s, FILLED], pos_i[s, HAS_MPLAST] = acc_i[NOW], entry_ms, 0, 0
    pos_f[s, QTY], pos_f[s, ENTRY], pos_f[s, FEE] = qty, price, fee
    pos_f[s, STOP], pos_f[s, TP], pos_f[s, HIGH], pos_f[s, TRAIL] = stop, take, 0.0, math.nan
    held[acc_i[NHELD]] = s
    acc_i[NHELD] += 1


@kernel()
def set_dust(s: int, units: int, price: float, fee: float, seen_at: float, closes: np.ndarray,
             pos_f: np.ndarray, pos_i: np.ndarray, acc_f: np.ndarray, acc_i: np.ndarray,
             dusty: np.ndarray) -> None:
    """DustLedger.take then add after the protection took its share: the lot left (valued at `seen_at`
    while the market has no close of s) goes to the end of the ledger's order."""
    if pos_i[s, DUST_U] > 0:  # taken: out of the order, the others keep theirs
        n, k = dusty[0], 1
        while dusty[k] != s:
            k += 1
        for j in range(k, n):
            dusty[j] = dusty[j + 1]
        dusty[0] = n - 1
    if units > 0:
        dusty[0] += 1
        dusty[dusty[0]] = s
    pos_i[s, DUST_U], pos_f[s, DUST_PX], pos_f[s, DUST_FEE], pos_f[s, DUST_LAST] = units, price, fee, seen_at
    pos_f[s, DUST_Q] = units / UNIT
    acc_i[AHEAD_N] = 0  # the ledger changed: the dust's values ahead are stale
    value_dust(closes, pos_f, pos_i, acc_f, acc_i, dusty)
    cost_dust(pos_f, pos_i, acc_f, dusty)


@kernel()
def lot_add(a_u: int, a_px: float, a_fee: float, b_u: int, b_px: float,
            b_fee: float) -> tuple[int, float, float]:
    """holdings.Lot.__add__."""
    fees = a_fee + b_fee
    if b_u <= 0 or a_u <= 0:
        return (a_u, a_px, fees) if b_u <= 0 else (b_u, b_px, fees)
    total = a_u + b_u
    return total, (a_px * (a_u / UNIT) + b_px * (b_u / UNIT)) / (total / UNIT), fees
