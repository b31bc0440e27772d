"""The research core compiled with numba (domain.research_core.ResearchCore): the replay of
application/backtest/replay.py and the trading loop's decisions, minute by minute, over plain arrays.

One acting minute t, as the replay drives the loop (the clock first moves to bar t's close):
1. each open position's bar t, in symbol order: its OCO reacts (stop first), the loop sees the range
   (trailing stop, exit due: a timeout or trailing exit cancels the OCO and sells at market, else the
   OCO is polled and a filled leg closes the trade);
2. the risk book's probe (could_enter); when it approves, the minute's signals are shown (their bar t
   to the loop, bar t+1's open to the simulator as the price an entry fills at);
3. the tick: timeouts at the tick's time, equity marked (the kill switch closes everything and stops),
   then the scan (none while the risk book blocks every entry): the first `top_candidates` cells, the
   first `max_symbols_active - busy` not held, their signals best score first, each into a buy + OCO.
The replay acts only at minutes with a signal or an open position; what is open at the end is sold.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from adapters.kernels.research_buy import resolve_maker
from adapters.kernels.research_dust import value_dust
from adapters.kernels.research_positions import act, close, exit_due, oco_on_bar, on_price
from adapters.kernels.research_scan import record_entry, scan
from adapters.kernels.research_state import (
    ACC_F,
    ACC_I,
    BAR_MS,
    CAPITAL,
    DAY,
    DAY_START,
    DD_PCT,
    ENTRY,
    EXCH,
    EXIT_MS,
    GRACE_MS,
    HAS_MPLAST,
    INITIAL,
    KILLED,
    LAST_EQ,
    MARKET,
    MARKET_T,
    MAX_ACTIVE,
    MINUTE,
    MPLAST,
    NHELD,
    NOW,
    NPEND,
    NTRADES,
    OPEN,
    PEAK,
    PEND,
    PEND_MS,
    PEND_PX,
    POS_F,
    POS_I,
    QUOTE_FREE,
    R_KILL,
    R_MANUAL,
    SL_PCT,
    TOP,
    TRAIL,
    equity,
    kernel,
    risk_refusal,
    roll,
    set_price,
)


@kernel(inline=True)
def _ingest(t: int, bars: np.ndarray, open_ms: np.ndarray,
            tick: np.ndarray, inv_tick: np.ndarray, fp: np.ndarray, ip: np.ndarray, pos_f: np.ndarray,
            pos_i: np.ndarray, acc_f: np.ndarray, acc_i: np.ndarray, held: np.ndarray, out_i: np.ndarray,
            out_f: np.ndarray, busy: np.ndarray) -> None:
    n = acc_i[NHELD]
    for k in range(n):  # busy symbols in name order (insertion sort: a handful)
        s, j = held[k], k
        while j > 0 and busy[j - 1] > s:
            busy[j] = busy[j - 1]
            j -= 1
        busy[j] = s
    for k in range(n):
        s = busy[k]
        o, h, lo, c = bars[t, s, 0], bars[t, s, 1], bars[t, s, 2], bars[t, s, 3]
        if math.isnan(o) or not pos_i[s, OPEN]:
            continue
        oco_on_bar(s, o, h, lo, c, open_ms[t], fp, ip, pos_f, pos_i, tick[s],
                   inv_tick[s])
        set_price(s, c, 1, pos_f, pos_i)
        now = acc_i[NOW]
        reason = on_price(s, now, lo, h, c, fp, ip, pos_f, pos_i)
        act(s, reason, now, fp, ip, pos_f, pos_i, acc_f, acc_i, held, out_i, out_f, tick[s], inv_tick[s])


@kernel(inline=True)
def _ingest_pending(t: int, bars: np.ndarray, open_ms: np.ndarray, ip: np.ndarray, pos_f: np.ndarray,
                    pos_i: np.ndarray, acc_i: np.ndarray, pend: np.ndarray) -> None:
    """A resting maker entry's bar: the simulator fills it when the bar trades through its price (below
    it: at an equal price it may still be queued), the bar's close only when the order was placed after
    its open (beyond the grace); the loop's memory takes the bar's close."""
    for k in range(acc_i[NPEND]):
        s = pend[k]
        lo, c = bars[t, s, 2], bars[t, s, 3]
        if math.isnan(c):
            continue
        if pos_i[s, PEND_MS] > open_ms[t] + ip[GRACE_MS]:
            lo = c
        pos_f[s, EXCH] = c
        set_price(s, c, 1, pos_f, pos_i)
        if lo < pos_f[s, PEND_PX]:
            pos_i[s, PEND] = 2


@kernel(inline=True)
def _resolve_pending(now: int, closes: np.ndarray, tick: np.ndarray, inv_tick: np.ndarray, step_u: np.ndarray,
                     min_notional: np.ndarray, fp: np.ndarray, ip: np.ndarray, pos_f: np.ndarray,
                     pos_i: np.ndarray, acc_f: np.ndarray, acc_i: np.ndarray, held: np.ndarray,
                     out_i: np.ndarray, out_f: np.ndarray, entries: np.ndarray, dusty: np.ndarray,
                     pend: np.ndarray) -> None:
    """EnterTrades.resolve_pending, first thing of the tick: each resting entry in the order placed."""
    for k in range(acc_i[NPEND]):
        s = pend[k]
        if resolve_maker(s, fp, ip, pos_f, pos_i, acc_f, acc_i, held, tick[s], inv_tick[s], step_u[s],
                         min_notional[s], closes, dusty, out_i, out_f):
            record_entry(acc_f, acc_i, entries, now)
    acc_i[NPEND] = 0


@kernel(inline=True)
def _manage_and_mark(now: int, tick: np.ndarray, inv_tick: np.ndarray, fp: np.ndarray, ip: np.ndarray,
                     pos_f: np.ndarray, pos_i: np.ndarray, acc_f: np.ndarray, acc_i: np.ndarray,
                     held: np.ndarray, out_i: np.ndarray, out_f: np.ndarray, order: np.ndarray) -> None:
    """The tick's position step (timeouts at the tick's time), then equity and the kill switch."""
    n = acc_i[NHELD]
    for j in range(n):
        order[j] = held[j]
    for k in range(n):
        s = order[k]
        if pos_i[s, OPEN]:
            price = pos_f[s, MPLAST] if pos_i[s, HAS_MPLAST] else pos_f[s, ENTRY]
            reason = exit_due(s, now, price, price, ip, pos_f, pos_i)
            act(s, reason, now, fp, ip, pos_f, pos_i, acc_f, acc_i, held, out_i, out_f, tick[s], inv_tick[s])
    marked = equity(pos_f, pos_i, acc_f, held, acc_i[NHELD])
    roll(acc_f, acc_i, now)
    acc_f[LAST_EQ] = marked
    acc_f[PEAK] = max(acc_f[PEAK], marked)
    if acc_i[KILLED]:
        return
    drawdown = max(0.0, (acc_f[PEAK] - marked) / acc_f[PEAK]) if acc_f[PEAK] > 0 else 1.0
    if drawdown >= fp[DD_PCT]:
        acc_i[KILLED] = 1
        n = acc_i[NHELD]
        for j in range(n):
            order[j] = held[j]
        for k in range(n):
            s = order[k]
            close(s, R_KILL, fp, ip, pos_f, pos_i, acc_f, acc_i, held, out_i, out_f, tick[s], inv_tick[s])


@njit(cache=True)
def replay(bars: np.ndarray, closes: np.ndarray, open_ms: np.ndarray, tick: np.ndarray,
           inv_tick: np.ndarray, step_u: np.ndarray, min_notional: np.ndarray, csym: np.ndarray,
           cscore: np.ndarray, csig: np.ndarray, starts: np.ndarray, signal_minutes: np.ndarray,
           fp: np.ndarray, ip: np.ndarray, first: int, start_ms: int, out_i: np.ndarray,
           out_f: np.ndarray) -> tuple[int, bool]:
    """Allocates the state (the only allocations), then walks the minutes (`_walk`)."""
    symbols = bars.shape[1]
    pos_f = np.zeros((symbols, POS_F))
    pos_f[:, TRAIL] = pos_f[:, EXCH] = np.nan
    pos_i = np.zeros((symbols, POS_I), dtype=np.int64)
    pos_i[:, EXIT_MS] = -1
    pos_i[:, MARKET_T] = -1
    pos_f[:, MARKET] = np.nan
    pos_f[:, TOP] = np.nan
    acc_f = np.zeros(ACC_F)
    acc_f[CAPITAL] = acc_f[QUOTE_FREE] = acc_f[PEAK] = acc_f[LAST_EQ] = acc_f[DAY_START] = fp[INITIAL]
    acc_i = np.zeros(ACC_I, dtype=np.int64)
    acc_i[DAY], acc_i[NOW] = -1, start_ms
    held = np.zeros(symbols, dtype=np.int64)
    busy, order = np.zeros(symbols, dtype=np.int64), np.zeros(symbols, dtype=np.int64)
    wanted, picked = np.zeros(symbols, dtype=np.int64), np.zeros(symbols + ip[MAX_ACTIVE], dtype=np.int64)
    wanted_list, watch = np.zeros(2 * symbols, dtype=np.int64), np.zeros(symbols + 1, dtype=np.int64)
    dusty = np.zeros(symbols + 1, dtype=np.int64)
    pend = np.zeros(symbols, dtype=np.int64)  # the resting maker entries, in the order placed
    entries = np.zeros(len(csym) + 1, dtype=np.int64)
    return _walk(bars, closes, open_ms, tick, inv_tick, step_u, min_notional, csym, cscore, csig, starts,
                 signal_minutes, fp, ip, out_i, out_f, pos_f, pos_i, acc_f, acc_i, held, busy, order, wanted,
                 picked, wanted_list, watch, dusty, entries, pend)


@kernel()
def _walk(bars: np.ndarray, closes: np.ndarray, open_ms: np.ndarray, tick: np.ndarray, inv_tick: np.ndarray,
          step_u: np.ndarray, min_notional: np.ndarray, csym: np.ndarray, cscore: np.ndarray,
          csig: np.ndarray, starts: np.ndarray, signal_minutes: np.ndarray, fp: np.ndarray, ip: np.ndarray,
          out_i: np.ndarray, out_f: np.ndarray, pos_f: np.ndarray, pos_i: np.ndarray, acc_f: np.ndarray,
          acc_i: np.ndarray, held: np.ndarray, busy: np.ndarray, order: np.ndarray, wanted: np.ndarray,
          picked: np.ndarray, wanted_list: np.ndarray, watch: np.ndarray, dusty: np.ndarray,
          entries: np.ndarray, pend: np.ndarray) -> tuple[int, bool]:
    """The minutes where the loop acts, over state `replay` allocated. Compiled without numba's runtime
    (`_nrt=False`): no reference counts on the arrays it passes to its steps (they cost ~2/3 of the run)
    and no allocation can slip into the loop (it would not compile)."""
    total = bars.shape[0]
    nxt = 0
    t = signal_minutes[0] if len(signal_minutes) else total
    while t < total and not acc_i[KILLED]:
        acc_i[NOW] = max(acc_i[NOW], open_ms[t] + ip[BAR_MS] - 1)
        acc_i[MINUTE] = t  # the replay's GridPrices.move_to(t): the dust at the market's closes of t
        if dusty[0]:
            value_dust(closes, pos_f, pos_i, acc_f, acc_i, dusty)
        _ingest(t, bars, open_ms, tick, inv_tick, fp, ip, pos_f, pos_i, acc_f, acc_i, held, out_i,
                out_f, busy)
        _ingest_pending(t, bars, open_ms, ip, pos_f, pos_i, acc_i, pend)
        now = acc_i[NOW]
        probe = equity(pos_f, pos_i, acc_f, held, acc_i[NHELD])
        approves = risk_refusal(fp, ip, acc_f, acc_i, entries, now, probe, 1.0, 1.0 - fp[SL_PCT], 0.0,
                                acc_i[NHELD] + acc_i[NPEND]) >= 0
        signalled = False
        for cell in range(starts[t], starts[t + 1]):
            signalled = signalled or csig[cell]
            s = csym[cell]
            if approves and csig[cell] and not pos_i[s, OPEN] and not pos_i[s, PEND]:
                pos_f[s, EXCH] = bars[t + 1, s, 0]
                set_price(s, bars[t, s, 3], 1, pos_f, pos_i)
                pos_f[s, TOP] = bars[t, s, 3]
        if acc_i[NPEND]:
            _resolve_pending(now, closes, tick, inv_tick, step_u, min_notional, fp, ip, pos_f, pos_i, acc_f,
                             acc_i, held, out_i, out_f, entries, dusty, pend)
        _manage_and_mark(now, tick, inv_tick, fp, ip, pos_f, pos_i, acc_f, acc_i, held, out_i, out_f, order)
        if not acc_i[KILLED]:
            scan(t, now, starts[t], starts[t + 1], signalled, closes, csym, cscore, csig, step_u,
                 min_notional, tick, inv_tick, fp, ip, pos_f, pos_i, acc_f, acc_i, held, entries, wanted,
                 picked, wanted_list, watch, dusty, pend)
        roll(acc_f, acc_i, acc_i[NOW])
        if acc_i[NHELD] + acc_i[NPEND] > 0:
            t += 1
        else:
            while nxt < len(signal_minutes) and signal_minutes[nxt] <= t:
                nxt += 1
            t = signal_minutes[nxt] if nxt < len(signal_minutes) else total
    if not acc_i[KILLED]:
        n = acc_i[NHELD]
        for j in range(n):
            order[j] = held[j]
        for k in range(n):
            s = order[k]
            close(s, R_MANUAL, fp, ip, pos_f, pos_i, acc_f, acc_i, held, out_i, out_f, tick[s], inv_tick[s])
    return acc_i[NTRADES], bool(acc_i[KILLED])
