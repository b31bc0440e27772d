"""The research kernel's position steps, compiled: the OCO on a bar, the exit due, closing a position.

Each follows the real path it mirrors (named in its docstring) in the same order of float operations,
with the clock advanced by the simulator's latency at every order action (place, cancel), as the
replay clock does, so entry and exit times (and so timeouts and cooldowns) match to the millisecond.
"""

from __future__ import annotations

import math

import numpy as np

from adapters.kernels.research_state import (
    CAPITAL,
    DAY,
    DAY_PNL,
    ENTRY,
    ENTRY_MS,
    EXCH,
    EXIT_MS,
    FEE,
    FILL_FEE,
    FILL_PX,
    FILL_REASON,
    FILLED,
    GRACE_MS,
    HAS_MPLAST,
    HIGH,
    LAST_POLL,
    LATENCY,
    MAKER,
    MAKER_TP,
    MIN_HOLD_MS,
    MPLAST,
    NHELD,
    NOW,
    NTRADES,
    OCO_MS,
    OPEN,
    POLL_MS,
    QTY,
    QTY_U,
    QUOTE_FREE,
    R_SL,
    R_TIMEOUT,
    R_TP,
    R_TRAILING,
    SLIP,
    STOP,
    TAKER,
    TIMEOUT_MS,
    TP,
    TRAIL,
    TRAIL_ACT,
    TRAIL_DIST,
    UNIT,
    kernel,
    quote_fee,
    roll,
    tick_down,
)


@kernel(inline=True)
def oco_on_bar(s: int, o: float, h: float, lo: float, c: float, open_ms: int, fp: np.ndarray, ip: np.ndarray,
               pos_f: np.ndarray, pos_i: np.ndarray, tick: float, inv_tick: float) -> None:
    """reactions.on_candle for a position's OCO: the stop leg (made first) before the take-profit leg;
    a bar that opened before the OCO was working counts as its close only."""
    pos_f[s, EXCH] = c
    if pos_i[s, FILLED]:
        return
    if pos_i[s, OCO_MS] > open_ms + ip[GRACE_MS]:
        o, h, lo = c, c, c
    stop, take = pos_f[s, STOP], pos_f[s, TP]
    if lo <= stop:
        price = tick_down(min(o, stop) * (1 - fp[SLIP]), tick, inv_tick)
        pos_i[s, FILLED], pos_i[s, FILL_REASON] = 1, R_SL
        pos_f[s, FILL_PX], pos_f[s, FILL_FEE] = price, quote_fee(price, pos_i[s, QTY_U], fp[TAKER])
    elif ip[MAKER_TP] and h > take:
        pos_i[s, FILLED], pos_i[s, FILL_REASON] = 1, R_TP
        pos_f[s, FILL_PX], pos_f[s, FILL_FEE] = take, quote_fee(take, pos_i[s, QTY_U], fp[MAKER])
    elif not ip[MAKER_TP] and h >= take:
        price = tick_down(take * (1 - fp[SLIP]), tick, inv_tick)
        pos_i[s, FILLED], pos_i[s, FILL_REASON] = 1, R_TP
        pos_f[s, FILL_PX], pos_f[s, FILL_FEE] = price, quote_fee(price, pos_i[s, QTY_U], fp[TAKER])


@kernel()
def finish(s: int, price: float, exit_fee: float, reason: int, pos_f: np.ndarray, pos_i: np.ndarray,
           acc_f: np.ndarray, acc_i: np.ndarray, held: np.ndarray, out_i: np.ndarray,
           out_f: np.ndarray) -> None:
    """ManagePositions._finish + Account.record + RiskBook.record_exit: the trade at the clock's now."""
    now = acc_i[NOW]
    qty, entry = pos_f[s, QTY], pos_f[s, ENTRY]
    fees = pos_f[s, FEE] * (qty / qty) + exit_fee
    pnl = (price - entry) * qty - fees
    n = acc_i[NTRADES]
    out_i[n, 0], out_i[n, 1], out_i[n, 2], out_i[n, 3] = s, pos_i[s, ENTRY_MS], now, reason
    out_f[n, 0], out_f[n, 1], out_f[n, 2], out_f[n, 3], out_f[n, 4] = entry, price, qty, fees, pnl
    acc_i[NTRADES] = n + 1
    acc_f[QUOTE_FREE] += price * (pos_i[s, QTY_U] / UNIT) - exit_fee
    roll(acc_f, acc_i, now)
    pos_i[s, EXIT_MS] = now if pos_i[s, EXIT_MS] < 0 else max(pos_i[s, EXIT_MS], now)
    acc_f[CAPITAL] += pnl
    if now // 86_400_000 == acc_i[DAY]:
        acc_f[DAY_PNL] += pnl
    pos_i[s, OPEN], pos_i[s, FILLED], pos_i[s, HAS_MPLAST] = 0, 0, 0
    nheld = acc_i[NHELD]
    k = 0
    while held[k] != s:
        k += 1
    for j in range(k, nheld - 1):
        held[j] = held[j + 1]
    acc_i[NHELD] = nheld - 1


@kernel()
def close(s: int, reason: int, fp: np.ndarray, ip: np.ndarray, pos_f: np.ndarray, pos_i: np.ndarray,
          acc_f: np.ndarray, acc_i: np.ndarray, held: np.ndarray, out_i: np.ndarray, out_f: np.ndarray,
          tick: float, inv_tick: float) -> None:
    """ManagePositions.close (a bot exit): cancel the OCO (a leg filled meanwhile is the exit), else sell
    at market at the simulator's last price, slipped down to the tick."""
    acc_i[NOW] += ip[LATENCY]
    if pos_i[s, FILLED]:
        finish(s, pos_f[s, FILL_PX], pos_f[s, FILL_FEE], pos_i[s, FILL_REASON], pos_f, pos_i, acc_f, acc_i,
               held, out_i, out_f)
        return
    acc_i[NOW] += ip[LATENCY]
    price = tick_down(pos_f[s, EXCH] * (1 - fp[SLIP]), tick, inv_tick)
    finish(s, price, quote_fee(price, pos_i[s, QTY_U], fp[TAKER]), reason, pos_f, pos_i, acc_f, acc_i, held,
           out_i, out_f)


@kernel(inline=True)
def act(s: int, reason: int, now: int, fp: np.ndarray, ip: np.ndarray, pos_f: np.ndarray, pos_i: np.ndarray,
        acc_f: np.ndarray, acc_i: np.ndarray, held: np.ndarray, out_i: np.ndarray, out_f: np.ndarray,
        tick: float, inv_tick: float) -> None:
    """ManagePositions._act at the decision time `now` (the clock, or the tick's time): a bot exit
    (timeout, trailing) closes; else the OCO is polled."""
    if reason not in (R_TIMEOUT, R_TRAILING) and \
            now - pos_i[s, ENTRY_MS] >= max(ip[TIMEOUT_MS], ip[MIN_HOLD_MS]):
        reason = R_TIMEOUT
    if reason in (R_TIMEOUT, R_TRAILING):
        close(s, reason, fp, ip, pos_f, pos_i, acc_f, acc_i, held, out_i, out_f, tick, inv_tick)
    elif now - pos_i[s, LAST_POLL] >= ip[POLL_MS]:
        pos_i[s, LAST_POLL] = now
        if pos_i[s, FILLED]:
            finish(s, pos_f[s, FILL_PX], pos_f[s, FILL_FEE], pos_i[s, FILL_REASON], pos_f, pos_i, acc_f,
                   acc_i, held, out_i, out_f)


@kernel(inline=True)
def exit_due(s: int, now: int, low: float, high: float, ip: np.ndarray, pos_f: np.ndarray,
             pos_i: np.ndarray) -> int:
    """Position.exit_due: -1 when none is due."""
    held_ms = now - pos_i[s, ENTRY_MS]
    if low <= pos_f[s, STOP]:
        return R_SL
    if not math.isnan(pos_f[s, TRAIL]) and low <= pos_f[s, TRAIL] and held_ms >= ip[MIN_HOLD_MS]:
        return R_TRAILING
    if high >= pos_f[s, TP]:
        return R_TP
    if held_ms >= max(ip[TIMEOUT_MS], ip[MIN_HOLD_MS]):
        return R_TIMEOUT
    return -1


@kernel(inline=True)
def on_price(s: int, now: int, low: float, high: float, last: float, fp: np.ndarray, ip: np.ndarray,
             pos_f: np.ndarray, pos_i: np.ndarray) -> int:
    """ManagePositions.on_price up to the decision: the trailing stop follows the high
    (Position.with_price)."""
    pos_f[s, MPLAST], pos_i[s, HAS_MPLAST] = last, 1
    highest = max(pos_f[s, HIGH], pos_f[s, ENTRY], high)
    activation = fp[TRAIL_ACT]
    if not math.isnan(activation) and highest >= pos_f[s, ENTRY] * (1 + activation):
        candidate = highest * (1 - fp[TRAIL_DIST])
        trail = pos_f[s, TRAIL]
        pos_f[s, TRAIL] = candidate if math.isnan(trail) else max(trail, candidate)
    pos_f[s, HIGH] = highest
    return exit_due(s, now, low, high, ip, pos_f, pos_i)
