"""vectorbt's engine on the scanner-rule decisions (the optional `bench` extra: `pip install -e ".[bench]"`):
the reference issue 17 names beside the numba bar walk, measured in the same run.

`Portfolio.from_signals` over the same grid (minutes x symbols, all symbols one group sharing cash, so
vectorbt walks minute by minute across the symbols like the bar walk): sl_stop/tp_stop from the fill
price, stop exits at the stop price, fees on both sides, and a signal function holding the decisions
vectorbt has no parameter for: one position at a time, the hourly and daily entry counts, the timeout.
Each trade is one unit of value, so its PnL is the same fraction of its entry as the numba references'.

Entries are placed on the signal minute at the next minute's open plus slippage, so that vectorbt tests
the stops from the fill minute on, as the bar walk does; a timeout exits at its minute's close (its cell
of the order prices is set when the position opens). One difference remains, and the bench counts it:
a bar that opens beyond a stop exits at that open in vectorbt, at the stop price in the bar walk.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit

try:
    import vectorbt as vbt
    from vectorbt.portfolio.enums import SizeType, StopEntryPrice, StopExitPrice
except ImportError:  # the optional extra is not installed
    vbt = None

MISSING = 'vectorbt not installed (pip install -e ".[bench]"): no vectorbt reference'


def available() -> bool:
    return vbt is not None


@njit(cache=True)
def _stopped(o: np.ndarray, h: np.ndarray, lo: np.ndarray, c: np.ndarray, row: int, col: int, stop: float,
             take: float) -> bool:
    """vectorbt's own stop test (get_stop_price_nb, its gaps filled the same way): a bar that opens
    beyond a stop or spans it."""
    bar_open = c[row, col] if np.isnan(o[row, col]) else o[row, col]
    low = min(bar_open, c[row, col]) if np.isnan(lo[row, col]) else lo[row, col]
    high = max(bar_open, c[row, col]) if np.isnan(h[row, col]) else h[row, col]
    return (bar_open <= stop or low <= stop <= high) or (take <= bar_open or low <= take <= high)


@njit(cache=True)
def _decide(ctx: Any, signal: np.ndarray, entry: np.ndarray, price: np.ndarray, o: np.ndarray,
            h: np.ndarray, lo: np.ndarray, c: np.ndarray, day: np.ndarray, state: np.ndarray,
            levels: np.ndarray, recent: np.ndarray, per_hour: int, per_day: int, timeout: int,
            take_pct: float, stop_pct: float) -> tuple[bool, bool, bool, bool]:
    """vectorbt calls it for every symbol of every minute but where its stops exit. state: held
    column, its timeout minute, the last minute its stops were tested, the minute a stop closed it (-1),
    recent head and tail, the current day, entries that day; levels: its stop and take prices."""
    i, col = ctx.i, ctx.col
    held = state[0]
    if held == col and state[3] < 0:
        if ctx.position_now != 0:
            if i < state[1]:
                return False, False, False, False
            state[0] = -1  # the timeout: out at this minute's close (its price cell, set at the entry)
            return False, True, False, False
        state[3] = i - 1  # closed by a stop that the test below did not foresee
    elif held >= 0 and state[3] < 0:
        # vectorbt's stops exit inside its engine and tell nobody: test the held symbol's bars up to this
        # minute, so that a later symbol of the minute a stop hit may enter (as in the bar walk)
        while state[2] < i:
            state[2] += 1
            if _stopped(o, h, lo, c, state[2], held, levels[0], levels[1]):
                state[3] = state[2]
                if state[1] > state[3]:  # its timeout minute is an ordinary one again
                    price[state[1], held] = entry[state[1], held]
                break
    if held >= 0 and state[3] >= 0 and (state[3] < i or (state[3] == i and col > held)):
        state[0], state[3] = -1, -1
    if state[0] >= 0 or ctx.position_now != 0 or not signal[i, col] or np.isnan(entry[i, col]):
        return False, False, False, False
    while state[4] < state[5] and recent[state[4]] <= i - 60:
        state[4] += 1
    if day[i] != state[6]:
        state[6], state[7] = day[i], 0
    if state[5] - state[4] >= per_hour or state[7] >= per_day:
        return False, False, False, False
    until = min(i + timeout, signal.shape[0] - 1)
    state[0], state[1], state[2], state[3] = col, until, i, -1
    levels[0], levels[1] = entry[i, col] * (1 - stop_pct), entry[i, col] * (1 + take_pct)
    price[until, col] = c[until, col]  # a timeout exits at the close; vectorbt reads it at that minute
    recent[state[5]] = i
    state[5] += 1
    state[7] += 1
    return True, False, False, False


def run(bars: np.ndarray, open_ms: np.ndarray, signal: np.ndarray, first: int, take_pct: float,
        stop_pct: float, timeout: int, fee: float, slip: float, per_hour: int, per_day: int) -> Any:
    """The portfolio of the bar walk's decisions; `bars[t, s]` = open, high, low, close (the core's
    grid), `signal[t, s]` the plan's first passing cell of each minute, minutes from `first` on.
    Entries are placed on the signal minute at the next minute's open plus slippage (so stops are tested
    from the fill minute on, as in the bar walk)."""
    assert vbt is not None, MISSING
    o, h, lo, c = (np.ascontiguousarray(bars[first:, :, k]) for k in range(4))
    entry = np.full_like(o, np.nan)
    entry[:-1] = o[1:] * (1 + slip)
    price = entry.copy()  # the order price of each cell; a timeout's cell gets its close
    state = np.array([-1, 0, 0, -1, 0, 0, -1, 0], dtype=np.int64)
    portfolio = vbt.Portfolio.from_signals(
        c, open=o, high=h, low=lo, price=price, size=1.0, size_type=SizeType.Value, fees=fee,
        sl_stop=stop_pct, tp_stop=take_pct, stop_entry_price=StopEntryPrice.Price,
        stop_exit_price=StopExitPrice.StopLimit, signal_func_nb=_decide,
        signal_args=(np.ascontiguousarray(signal[first:]), entry, price, o, h, lo, c,
                     open_ms[first:] // 86_400_000, state, np.zeros(2), np.zeros(len(o) + 1, dtype=np.int64),
                     per_hour, per_day, timeout, take_pct, stop_pct),
        group_by=True, cash_sharing=True, init_cash=np.inf, freq="1min")
    return portfolio


def trades_and_pnl(portfolio: Any) -> tuple[int, float]:
    """(trades, summed PnL as fractions of each entry), the numba references' figures."""
    records = portfolio.trades.records
    return len(records), float((records["pnl"] / (records["entry_price"] * records["size"])).sum())


def exits_at_a_gap(portfolio: Any, take_pct: float, stop_pct: float) -> int:
    """Exits beyond both levels: stops filled at a bar's open past them (the bar walk takes the level)."""
    records = portfolio.trades.records
    entry, out = records["entry_price"], records["exit_price"]
    below, above = out < entry * (1 - stop_pct) * (1 - 1e-12), out > entry * (1 + take_pct) * (1 + 1e-12)
    return int((below | above).sum())
