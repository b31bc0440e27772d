"""The research kernel's state layout and its small compiled steps (orders, fills, the risk book).

State lives in a few arrays so the compiled functions can share it without objects:
- `pos_f[s, :]`, `pos_i[s, :]`: symbol s's position (one per pair), its OCO and its dust, by the
  column constants below; quantities are integers in 1e-8 units (Binance's base precision), so lot
  steps and commissions round exactly as the simulator's Decimals do;
- `acc_f`, `acc_i`: the account and the risk book (capital, free quote, peak, day, counters, the clock);
- `held[:acc_i[NHELD]]`: the open positions in the order they opened (the loop's dict order);
- `watch[1:watch[0] + 1]`: the watched symbols; `dusty[1:dusty[0] + 1]`: the symbols holding dust, in
  the DustLedger's order (its sums follow it); the dust's value and cost as totals over them only.
Prices on the tick grid are built as `ticks / (1 / tick)` so they are the floats of the simulator's
Decimal prices bit for bit (what `low <= stop` compares).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, TypeVar, cast

import numpy as np
from numba import njit

Step = TypeVar("Step", bound=Callable[..., Any])


def kernel(inline: bool = False) -> Callable[[Step], Step]:
    """njit, cached, without numba's runtime: no reference counting of the arrays passed between the
    kernel's steps (2/3 of its time with it) and no allocation inside (one would not compile)."""
    options: dict[str, Any] = {"_nrt": False}
    return cast(Callable[[Step], Step], njit(cache=True, inline="always" if inline else "never", **options))


# pos_f columns
QTY, ENTRY, FEE, STOP, TP, HIGH, TRAIL, FILL_PX, FILL_FEE, MEM, EXCH, MPLAST, DUST_PX, DUST_FEE, DUST_LAST, \
    MARKET, DUST_Q, PEND_PX, TOP = range(19)
POS_F = 19  # TOP: the book top's bid the loop's memory holds (the close a replay showed; NaN: none)
# pos_i columns (PEND: a maker entry rests, 1; it filled on the bar after it, 2; PEND_U its quantity,
# PEND_MS the time it was placed)
OPEN, QTY_U, ENTRY_MS, OCO_MS, LAST_POLL, FILLED, FILL_REASON, DUST_U, EXIT_MS, HAS_MEM, HAS_MPLAST, \
    WATCHED, MARKET_T, PEND, PEND_U, PEND_MS = range(16)
POS_I = 16
# acc_f
CAPITAL, QUOTE_FREE, PEAK, LAST_EQ, DAY_START, DAY_PNL, ALL_DUST_VALUE, ALL_DUST_COST, AHEAD_V = range(9)
AHEAD = 4  # the dust valued for this many minutes at once (AHEAD_V..AHEAD_V + 3)
ACC_F = AHEAD_V + AHEAD
# acc_i
DAY, DAY_TRADES, KILLED, NTRADES, NOW, HOUR_LO, HOUR_HI, NHELD, MINUTE, AHEAD_T, AHEAD_N, NPEND = range(12)
ACC_I = 12
# fp: float settings
TP_PCT, SL_PCT, TRAIL_ACT, TRAIL_DIST, SLIP, INITIAL, POS_PCT, MIN_POS, LOSS_PCT, DAILY_PCT, DD_PCT, BAND, \
    TAKER, MAKER = range(14)
FP = 14
# ip: integer settings (fee rates also as exact fractions num/den for the base commission)
TIMEOUT_MS, MIN_HOLD_MS, MAKER_TP, LATENCY, MAX_OPEN, PER_HOUR, PER_DAY, COOLDOWN, TOP_N, MAX_ACTIVE, \
    POLL_MS, GRACE_MS, ENTRY_NUM, ENTRY_DEN, BAR_MS, MAKER_ENTRY = range(16)
IP = 16
# trade rows: out_i (symbol, entry ms, exit ms, reason), out_f (entry, exit, quantity, fees, pnl)
UNIT = 1e8
DAY_MS = 86_400_000
HOUR_MS = 3_600_000
EPS = 1e-9
R_TP, R_SL, R_TRAILING, R_TIMEOUT, R_KILL, R_MANUAL, R_UNPROTECTED = range(7)


@kernel(inline=True)
def on_tick_grid(ticks: float, tick: float, inv_tick: float) -> float:
    return ticks / inv_tick if inv_tick > 0 else ticks * tick


@kernel(inline=True)
def tick_up(price: float, tick: float, inv_tick: float) -> float:
    x = price * inv_tick if inv_tick > 0 else price / tick
    n = math.ceil(x - EPS)
    return on_tick_grid(n, tick, inv_tick) if n > 0 else price


@kernel(inline=True)
def tick_down(price: float, tick: float, inv_tick: float) -> float:
    x = price * inv_tick if inv_tick > 0 else price / tick
    n = math.floor(x + EPS)
    return on_tick_grid(n, tick, inv_tick) if n > 0 else price


@kernel(inline=True)
def quote_fee(price: float, qty_u: int, rate: float) -> float:
    """The simulator's commission on a SELL: price x qty x rate, rounded UP to 8 decimals."""
    units = price * qty_u * rate
    return math.ceil(units - 1e-6) / UNIT


@kernel(inline=True)
def roll(acc_f: np.ndarray, acc_i: np.ndarray, now: int) -> None:
    day = now // DAY_MS
    if acc_i[DAY] < 0 or day > acc_i[DAY]:
        acc_f[DAY_START] = acc_f[LAST_EQ]
        acc_i[DAY], acc_f[DAY_PNL], acc_i[DAY_TRADES] = day, 0.0, 0


@kernel(inline=True)
def hour_count(entries: np.ndarray, acc_i: np.ndarray, now: int) -> int:
    """RiskBook._trades_last_hour: prune entries <= now - 1 h, count those <= now."""
    lo, hi = acc_i[HOUR_LO], acc_i[HOUR_HI]
    while lo < hi and entries[lo] <= now - HOUR_MS:
        lo += 1
    acc_i[HOUR_LO] = lo
    n = 0
    for k in range(lo, hi):
        if entries[k] <= now:
            n += 1
    return n


@kernel(inline=True)
def equity(pos_f: np.ndarray, pos_i: np.ndarray, acc_f: np.ndarray, held: np.ndarray,
           nheld: int) -> float:
    """Account.equity: capital + positions at the last price - their cost + dust at market - its cost."""
    value = 0.0
    for k in range(nheld):
        s = held[k]
        price = pos_f[s, MEM] if pos_i[s, HAS_MEM] else (
            pos_f[s, MPLAST] if pos_i[s, HAS_MPLAST] else pos_f[s, ENTRY])
        value += pos_f[s, QTY] * price
    cost = 0.0
    for k in range(nheld):
        s = held[k]
        cost += pos_f[s, ENTRY] * pos_f[s, QTY] + pos_f[s, FEE]
    dust_value, dust_cost = acc_f[ALL_DUST_VALUE], acc_f[ALL_DUST_COST]
    return float(acc_f[CAPITAL] + (value - cost + dust_value - dust_cost))


@kernel(inline=True)
def set_price(s: int, price: float, known: int, pos_f: np.ndarray, pos_i: np.ndarray) -> None:
    """The loop's memory price of s (`known` 0: forgotten); the dust no longer follows it."""
    pos_f[s, MEM], pos_i[s, HAS_MEM] = price, known


@kernel(inline=True)
def risk_refusal(fp: np.ndarray, ip: np.ndarray, acc_f: np.ndarray, acc_i: np.ndarray, entries: np.ndarray,
                 now: int, capital: float, entry: float, stop: float, minimum: float, nbusy: int) -> float:
    """RiskBook.check past the per-symbol rules: the approved size, or -1 when refused."""
    if entries_blocked(fp, ip, acc_f, acc_i, entries, now, nbusy):
        return -1.0
    if not (math.isfinite(capital) and capital > 0):
        return -1.0
    if not (math.isfinite(entry) and entry > 0 and math.isfinite(stop) and 0 < stop < entry):
        return -1.0
    distance = (entry - stop) / entry
    size = min(capital * fp[POS_PCT], capital * fp[LOSS_PCT] / distance)
    if size < max(fp[MIN_POS], minimum):
        return -1.0
    return float(size)


@kernel(inline=True)
def min_entry_quote(price: float, taker: float, stop_loss_pct: float, band: float, step: float,
                    min_notional: float) -> float:
    """application.protection.min_entry_quote for filters with a market STOP_LOSS (the defaults')."""
    if price <= 0:
        return math.inf
    high, low = price * (1 + band), price * (1 - band)
    lowest = low * (1 - stop_loss_pct)
    needed = max(step, step, min_notional / lowest if lowest > 0 else math.inf)
    return float(high * ((needed + step) / (1 - taker) + step) * (1 + 1e-9))


@kernel(inline=True)
def entries_blocked(fp: np.ndarray, ip: np.ndarray, acc_f: np.ndarray, acc_i: np.ndarray, entries: np.ndarray,
                    now: int, nbusy: int) -> bool:
    """RiskBook.entries_blocked: no entry at all may open now (kill switch, open positions, daily loss,
    trade counts), whatever its symbol, price and size."""
    roll(acc_f, acc_i, now)
    return bool(acc_i[KILLED] or nbusy >= ip[MAX_OPEN]
                or acc_f[DAY_PNL] <= -(fp[DAILY_PCT] * acc_f[DAY_START])
                or acc_i[DAY_TRADES] >= ip[PER_DAY] or hour_count(entries, acc_i, now) >= ip[PER_HOUR])
