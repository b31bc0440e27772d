"""The research kernel's scan (EnterTrades.scan with the Watchlist), compiled: which candidates are
followed, which signals are tried, best score first, through the risk book into a market buy."""

from __future__ import annotations

import math

import numpy as np

from adapters.kernels.research_buy import buy, place_maker
from adapters.kernels.research_state import (
    BAND,
    COOLDOWN,
    DAY_TRADES,
    EXCH,
    EXIT_MS,
    HAS_MEM,
    HOUR_HI,
    KILLED,
    LATENCY,
    MAKER_ENTRY,
    MAX_ACTIVE,
    MEM,
    NHELD,
    NOW,
    NPEND,
    OPEN,
    PEND,
    QUOTE_FREE,
    SL_PCT,
    TAKER,
    TOP,
    TOP_N,
    WATCHED,
    entries_blocked,
    equity,
    hour_count,
    kernel,
    min_entry_quote,
    risk_refusal,
    roll,
    set_price,
)


@kernel(inline=True)
def follow(t: int, closes: np.ndarray, wanted: np.ndarray, wanted_list: np.ndarray, n_wanted: int,
            watch: np.ndarray, pos_f: np.ndarray, pos_i: np.ndarray) -> None:
    """Watchlist.follow: symbols no longer wanted are forgotten by the memory; a wanted one without memory
    is backfilled (its last close so far). The dust does not depend on it (valued at the market's close)."""
    kept = 0
    for k in range(1, watch[0] + 1):
        s = watch[k]
        if wanted[s]:
            kept += 1
            watch[kept] = s
        else:
            pos_i[s, WATCHED] = 0
            set_price(s, pos_f[s, MEM], 0, pos_f, pos_i)
            pos_f[s, TOP] = math.nan
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
            while u >= 0 and math.isnan(closes[u, s]):
                u -= 1
            if u >= 0:
                set_price(s, closes[u, s], 1, pos_f, pos_i)


@kernel(inline=True)
def scan(t: int, now: int, lo_cell: int, hi_cell: int, signalled: bool, closes: np.ndarray, csym: np.ndarray,
          cscore: np.ndarray, csig: np.ndarray, step_u: np.ndarray, min_notional: np.ndarray,
          tick: np.ndarray, inv_tick: np.ndarray, fp: np.ndarray, ip: np.ndarray, pos_f: np.ndarray,
          pos_i: np.ndarray, acc_f: np.ndarray, acc_i: np.ndarray, held: np.ndarray,
          entries: np.ndarray, wanted: np.ndarray, picked: np.ndarray, wanted_list: np.ndarray,
          watch: np.ndarray, dusty: np.ndarray, pend: np.ndarray) -> None:
    """EnterTrades.scan: the planned candidates (none at a minute without a signal), the watchlist's room,
    the signals best score first, each through the risk book and into a market buy (or a resting maker
    entry). Busy symbols: the positions held, then the maker entries resting."""
    if entries_blocked(fp, ip, acc_f, acc_i, entries, now, acc_i[NHELD] + acc_i[NPEND]):
        return  # EnterTrades.scan: no watching, nor forgetting, while no signal could be approved
    room = max(ip[MAX_ACTIVE] - acc_i[NHELD] - acc_i[NPEND], 0)
    n_wanted = acc_i[NHELD]
    for k in range(n_wanted):
        wanted_list[k] = held[k]
        wanted[held[k]] = 1
    for k in range(acc_i[NPEND]):
        wanted_list[n_wanted] = pend[k]
        wanted[pend[k]] = 1
        n_wanted += 1
    n = kept = 0
    if signalled:
        for cell in range(lo_cell, min(hi_cell, lo_cell + ip[TOP_N])):
            s = csym[cell]
            if kept >= room or pos_i[s, OPEN] or pos_i[s, PEND]:
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
    follow(t, closes, wanted, wanted_list, n_wanted, watch, pos_f, pos_i)
    for k in range(n):
        if acc_i[KILLED]:
            return
        s = csym[picked[k]]
        price = pos_f[s, MEM]
        stop = price * (1 - fp[SL_PCT])
        minimum = min_entry_quote(price, fp[TAKER], 1 - stop / price, fp[BAND], step_u[s] / 1e8,
                                  min_notional[s])
        capital = equity(pos_f, pos_i, acc_f, held, acc_i[NHELD])
        if pos_i[s, EXIT_MS] >= 0 and now - pos_i[s, EXIT_MS] < ip[COOLDOWN]:
            roll(acc_f, acc_i, now)
            continue
        size = risk_refusal(fp, ip, acc_f, acc_i, entries, now, capital, price, stop, minimum,
                            acc_i[NHELD] + acc_i[NPEND])
        if size < 0:
            continue
        size = min(size, acc_f[QUOTE_FREE])
        if size < minimum:
            continue
        if ip[MAKER_ENTRY] and not math.isnan(pos_f[s, TOP]):  # at the book top's bid; none: market
            place_maker(s, size, pos_f[s, TOP], fp, ip, pos_f, pos_i, acc_f, acc_i, pend, tick[s],
                        inv_tick[s], step_u[s])
        elif math.isnan(pos_f[s, EXCH]):  # the simulator never saw a price: it refuses the buy (-1112)
            acc_i[NOW] += ip[LATENCY]  # after its latency, as any order it answers
        elif buy(s, size, fp, ip, pos_f, pos_i, acc_f, acc_i, held, tick[s], inv_tick[s], step_u[s], closes,
               dusty):
            record_entry(acc_f, acc_i, entries, now)  # at the scan's time


@kernel(inline=True)
def record_entry(acc_f: np.ndarray, acc_i: np.ndarray, entries: np.ndarray, now: int) -> None:
    """RiskBook.record_entry: the day's and the hour's entry counts."""
    roll(acc_f, acc_i, now)
    acc_i[DAY_TRADES] += 1
    hour_count(entries, acc_i, now)
    entries[acc_i[HOUR_HI]] = now
    acc_i[HOUR_HI] += 1
