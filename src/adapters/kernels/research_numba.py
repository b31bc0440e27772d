"""The research core compiled with numba (domain.research_core.ResearchCore): the replay of
application/backtest/replay.py and the trading loop's decisions, minute by minute, over plain arrays.

One acting minute t, as the replay drives the loop (the clock first moves to bar t's close):
1. each open position's bar t, in symbol order: its OCO reacts (stop first), the loop sees the range
   (trailing stop, exit due: a timeout or trailing exit cancels the OCO and sells at market, else the
   OCO is polled and a filled leg closes the trade);
2. the risk book's probe (could_enter); when it approves, the minute's signals are shown (their bar t
   to the loop, bar t+1's open to the simulator as the price an entry fills at);
3. the tick: timeouts at the tick's time, equity marked (the kill switch closes everything and stops),
   then the scan: the first `top_candidates` cells, the first `max_symbols_active - busy` of them not
   held, their signals best score first, each through the risk book and into a market buy + OCO.
The replay acts only at minutes with a signal or an open position; what is open at the end is sold.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from adapters.kernels.research_positions import act, buy, close, exit_due, oco_on_bar, on_price
from adapters.kernels.research_state import (
    ACC_F,
    ACC_I,
    BAND,
    BAR_MS,
    CAPITAL,
    COOLDOWN,
    DAY,
    DAY_START,
    DAY_TRADES,
    DD_PCT,
    ENTRY,
    EXCH,
    EXIT_MS,
    HAS_MEM,
    HAS_MPLAST,
    HOUR_HI,
    INITIAL,
    KILLED,
    LAST_EQ,
    MAX_ACTIVE,
    MEM,
    MPLAST,
    NHELD,
    NOW,
    NTRADES,
    OPEN,
    PEAK,
    POS_F,
    POS_I,
    QUOTE_FREE,
    R_KILL,
    R_MANUAL,
    SL_PCT,
    TAKER,
    TOP_N,
    TRAIL,
    WATCHED,
    equity,
    hour_count,
    min_entry_quote,
    risk_refusal,
    roll,
    set_price,
)


@njit(cache=True, inline="always")
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
        set_price(s, c, 1, pos_f, pos_i, acc_f)
        now = acc_i[NOW]
        reason = on_price(s, now, lo, h, c, fp, ip, pos_f, pos_i)
        act(s, reason, now, fp, ip, pos_f, pos_i, acc_f, acc_i, held, out_i, out_f, tick[s], inv_tick[s])


@njit(cache=True, inline="always")
def _manage_and_mark(now: int, tick: np.ndarray, inv_tick: np.ndarray, fp: np.ndarray, ip: np.ndarray,
                     pos_f: np.ndarray, pos_i: np.ndarray, acc_f: np.ndarray, acc_i: np.ndarray,
                     held: np.ndarray, out_i: np.ndarray, out_f: np.ndarray, order: np.ndarray) -> None:
    """The tick's position step (timeouts at the tick's time), then equity and the kill switch."""
    n = acc_i[NHELD]
    order[:n] = held[:n]
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
        order[:n] = held[:n]
        for k in range(n):
            s = order[k]
            close(s, R_KILL, fp, ip, pos_f, pos_i, acc_f, acc_i, held, out_i, out_f, tick[s], inv_tick[s])


@njit(cache=True, inline="always")
def _follow(t: int, bars: np.ndarray, wanted: np.ndarray, wanted_list: np.ndarray, n_wanted: int,
            watch: np.ndarray, pos_f: np.ndarray, pos_i: np.ndarray, acc_f: np.ndarray) -> None:
    """Watchlist.follow: symbols no longer wanted are forgotten by the memory (their dust is then valued
    at the price it was left at); a wanted one without memory is backfilled (its last close so far)."""
    kept = 0
    for k in range(1, watch[0] + 1):
        s = watch[k]
        if wanted[s]:
            kept += 1
            watch[kept] = s
        else:
            pos_i[s, WATCHED] = 0
            set_price(s, pos_f[s, MEM], 0, pos_f, pos_i, acc_f)
    watch[0] = kept
    for k in range(n_wanted):
        s = wanted_list[k]
        wanted[s] = 0
        if not pos_i[s, WATCHED]:
            pos_i[s, WATCHED] = 1
            watch[0] += 1
            watch[watch[0]] = s
        if not pos_i[s, HAS_MEM]:
            u = t
            while u >= 0 and math.isnan(bars[u, s, 3]):
                u -= 1
            if u >= 0:
                set_price(s, bars[u, s, 3], 1, pos_f, pos_i, acc_f)


@njit(cache=True, inline="always")
def _scan(t: int, now: int, lo_cell: int, hi_cell: int, signalled: bool, bars: np.ndarray, csym: np.ndarray,
          cscore: np.ndarray, csig: np.ndarray, step_u: np.ndarray, min_notional: np.ndarray,
          tick: np.ndarray, inv_tick: np.ndarray, fp: np.ndarray, ip: np.ndarray, pos_f: np.ndarray,
          pos_i: np.ndarray, acc_f: np.ndarray, acc_i: np.ndarray, held: np.ndarray,
          entries: np.ndarray, wanted: np.ndarray, picked: np.ndarray, wanted_list: np.ndarray,
          watch: np.ndarray) -> None:
    """EnterTrades.scan: the planned candidates (none at a minute without a signal), the watchlist's room,
    the signals best score first, each through the risk book and into a market buy."""
    room = max(ip[MAX_ACTIVE] - acc_i[NHELD], 0)
    n_wanted = acc_i[NHELD]
    for k in range(n_wanted):
        wanted_list[k] = held[k]
        wanted[held[k]] = 1
    n = kept = 0
    if signalled:
        for cell in range(lo_cell, min(hi_cell, lo_cell + ip[TOP_N])):
            s = csym[cell]
            if kept >= room or pos_i[s, OPEN]:
                continue
            kept += 1
            wanted[s] = 1
            wanted_list[n_wanted] = s
            n_wanted += 1
            if csig[cell]:
                k = n  # stable insertion, best score first (generate_signals' sort)
                while k > 0 and cscore[picked[k - 1]] < cscore[cell]:
                    picked[k] = picked[k - 1]
                    k -= 1
                picked[k] = cell
                n += 1
    _follow(t, bars, wanted, wanted_list, n_wanted, watch, pos_f, pos_i, acc_f)
    for k in range(n):
        if acc_i[KILLED]:
            return
        s = csym[picked[k]]
        price = pos_f[s, MEM]
        if math.isnan(pos_f[s, EXCH]):  # the simulator never saw a price: the order is refused
            continue
        stop = price * (1 - fp[SL_PCT])
        minimum = min_entry_quote(price, fp[TAKER], 1 - stop / price, fp[BAND], step_u[s] / 1e8,
                                  min_notional[s])
        capital = equity(pos_f, pos_i, acc_f, held, acc_i[NHELD])
        if pos_i[s, EXIT_MS] >= 0 and now - pos_i[s, EXIT_MS] < ip[COOLDOWN]:
            roll(acc_f, acc_i, now)
            continue
        size = risk_refusal(fp, ip, acc_f, acc_i, entries, now, capital, price, stop, minimum, acc_i[NHELD])
        if size < 0:
            continue
        size = min(size, acc_f[QUOTE_FREE])
        if size < minimum:
            continue
        if buy(s, size, fp, ip, pos_f, pos_i, acc_f, acc_i, held, tick[s], inv_tick[s], step_u[s]):
            roll(acc_f, acc_i, now)  # RiskBook.record_entry at the scan's time
            acc_i[DAY_TRADES] += 1
            hour_count(entries, acc_i, now)
            entries[acc_i[HOUR_HI]] = now
            acc_i[HOUR_HI] += 1


@njit(cache=True)
def replay(bars: np.ndarray, open_ms: np.ndarray, tick: np.ndarray,
           inv_tick: np.ndarray, step_u: np.ndarray, min_notional: np.ndarray, csym: np.ndarray,
           cscore: np.ndarray, csig: np.ndarray, starts: np.ndarray, signal_minutes: np.ndarray,
           fp: np.ndarray, ip: np.ndarray, first: int, start_ms: int, out_i: np.ndarray,
           out_f: np.ndarray) -> tuple[int, bool]:
    total, symbols = bars.shape[0], bars.shape[1]
    pos_f = np.zeros((symbols, POS_F))
    pos_f[:, TRAIL] = np.nan
    pos_f[:, EXCH] = np.nan
    pos_i = np.zeros((symbols, POS_I), dtype=np.int64)
    pos_i[:, EXIT_MS] = -1
    acc_f = np.zeros(ACC_F)
    acc_f[CAPITAL] = acc_f[QUOTE_FREE] = acc_f[PEAK] = acc_f[LAST_EQ] = acc_f[DAY_START] = fp[INITIAL]
    acc_i = np.zeros(ACC_I, dtype=np.int64)
    acc_i[DAY], acc_i[NOW] = -1, start_ms
    held = np.zeros(symbols, dtype=np.int64)
    busy, order = np.zeros(symbols, dtype=np.int64), np.zeros(symbols, dtype=np.int64)
    wanted, picked = np.zeros(symbols, dtype=np.int64), np.zeros(symbols + ip[MAX_ACTIVE], dtype=np.int64)
    wanted_list, watch = np.zeros(2 * symbols, dtype=np.int64), np.zeros(symbols + 1, dtype=np.int64)
    entries = np.zeros(len(csym) + 1, dtype=np.int64)
    nxt = 0
    t = signal_minutes[0] if len(signal_minutes) else total
    while t < total and not acc_i[KILLED]:
        acc_i[NOW] = max(acc_i[NOW], open_ms[t] + ip[BAR_MS] - 1)
        _ingest(t, bars, open_ms, tick, inv_tick, fp, ip, pos_f, pos_i, acc_f, acc_i, held, out_i,
                out_f, busy)
        now = acc_i[NOW]
        probe = equity(pos_f, pos_i, acc_f, held, acc_i[NHELD])
        approves = risk_refusal(fp, ip, acc_f, acc_i, entries, now, probe, 1.0, 1.0 - fp[SL_PCT], 0.0,
                                acc_i[NHELD]) >= 0
        signalled = False
        for cell in range(starts[t], starts[t + 1]):
            signalled = signalled or csig[cell]
            s = csym[cell]
            if approves and csig[cell] and not pos_i[s, OPEN]:
                pos_f[s, EXCH] = bars[t + 1, s, 0]
                set_price(s, bars[t, s, 3], 1, pos_f, pos_i, acc_f)
        _manage_and_mark(now, tick, inv_tick, fp, ip, pos_f, pos_i, acc_f, acc_i, held, out_i, out_f, order)
        if not acc_i[KILLED]:
            _scan(t, now, starts[t], starts[t + 1], signalled, bars, csym, cscore, csig, step_u, min_notional,
                  tick, inv_tick, fp, ip, pos_f, pos_i, acc_f, acc_i, held, entries, wanted, picked,
                  wanted_list, watch)
        roll(acc_f, acc_i, acc_i[NOW])
        if acc_i[NHELD] > 0:
            t += 1
        else:
            while nxt < len(signal_minutes) and signal_minutes[nxt] <= t:
                nxt += 1
            t = signal_minutes[nxt] if nxt < len(signal_minutes) else total
    if not acc_i[KILLED]:
        n = acc_i[NHELD]
        order[:n] = held[:n]
        for k in range(n):
            s = order[k]
            close(s, R_MANUAL, fp, ip, pos_f, pos_i, acc_f, acc_i, held, out_i, out_f, tick[s], inv_tick[s])
    return acc_i[NTRADES], bool(acc_i[KILLED])
