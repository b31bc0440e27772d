"""The research kernel's dust (application/backtest/grid_prices.py and holdings.DustLedger): the lots the
lot step left, valued at the market's close of every minute the loop acts, as a replay values them.

The value is a sum over the ledger's lots in its order, each addition waiting on the one before: it was
the largest part of a run. The closes come from the grid's (minutes, symbols) layout, and the values of
the next minutes are summed in the same pass (value_ahead), kept until the ledger changes (set_dust).
"""

from __future__ import annotations

import math

import numpy as np

from adapters.kernels.research_state import (
    AHEAD,
    AHEAD_N,
    AHEAD_T,
    AHEAD_V,
    ALL_DUST_COST,
    ALL_DUST_VALUE,
    DUST_FEE,
    DUST_LAST,
    DUST_PX,
    DUST_Q,
    DUST_U,
    MARKET,
    MARKET_T,
    MINUTE,
    UNIT,
    kernel,
)


@kernel(inline=True)
def market_close(s: int, t: int, closes: np.ndarray, pos_f: np.ndarray, pos_i: np.ndarray) -> float:
    """GridPrices.price: s's last close at or before minute t (NaN: none yet). Remembered per symbol
    (`MARKET` as of minute `MARKET_T`), so moving forward reads only the bars since."""
    known = pos_i[s, MARKET_T]
    if known != t:
        u = t
        while u > known and math.isnan(closes[u, s]):
            u -= 1
        if u > known:
            pos_f[s, MARKET] = closes[u, s]
        pos_i[s, MARKET_T] = t
    return float(pos_f[s, MARKET])


@kernel()
def value_dust(closes: np.ndarray, pos_f: np.ndarray, pos_i: np.ndarray, acc_f: np.ndarray, acc_i: np.ndarray,
               dusty: np.ndarray) -> None:
    """DustLedger.value as a replay values the dust: each lot at its symbol's market close of the minute
    replayed (else the price it was left at), summed in the ledger's order as it sums them. Most symbols
    have a bar at the minute: only a gap reads back (market_close)."""
    t = acc_i[MINUTE]
    j = t - acc_i[AHEAD_T]
    if 0 <= j < acc_i[AHEAD_N]:
        acc_f[ALL_DUST_VALUE] = acc_f[AHEAD_V + j]
        return
    if t + AHEAD <= closes.shape[0] and value_ahead(t, closes, pos_f, acc_f, acc_i, dusty):
        acc_f[ALL_DUST_VALUE] = acc_f[AHEAD_V]
        return
    value = 0.0
    for k in range(1, dusty[0] + 1):
        s = dusty[k]
        price = closes[t, s]  # (minutes, symbols): the minute's closes in 12 cache lines, not 48
        if math.isnan(price):
            price = market_close(s, t, closes, pos_f, pos_i)
            if math.isnan(price):
                price = pos_f[s, DUST_LAST]
        value += pos_f[s, DUST_Q] * price  # float(lot.quantity) * price
    acc_f[ALL_DUST_VALUE] = value


@kernel(inline=True)
def value_ahead(t: int, closes: np.ndarray, pos_f: np.ndarray, acc_f: np.ndarray, acc_i: np.ndarray,
                dusty: np.ndarray) -> bool:
    """The dust's value at minutes t..t+3 in one pass: four independent sums, each in the ledger's order
    (so each is the one-minute sum bit for bit), where one sum waits on its previous addition at every
    lot. Kept until the ledger changes; False (nothing kept) when a close is missing (the gap path)."""
    v0 = v1 = v2 = v3 = 0.0
    for k in range(1, dusty[0] + 1):
        s = dusty[k]
        q = pos_f[s, DUST_Q]
        c0, c1, c2, c3 = closes[t, s], closes[t + 1, s], closes[t + 2, s], closes[t + 3, s]
        if math.isnan(c0 + c1 + c2 + c3):  # prices are finite or NaN: the sum is NaN when one is
            acc_i[AHEAD_N] = 0
            return False
        v0 += q * c0
        v1 += q * c1
        v2 += q * c2
        v3 += q * c3
    acc_f[AHEAD_V], acc_f[AHEAD_V + 1], acc_f[AHEAD_V + 2], acc_f[AHEAD_V + 3] = v0, v1, v2, v3
    acc_i[AHEAD_T], acc_i[AHEAD_N] = t, AHEAD
    return True


@kernel()
def cost_dust(pos_f: np.ndarray, pos_i: np.ndarray, acc_f: np.ndarray, dusty: np.ndarray) -> None:
    """DustLedger.cost: the lots' price paid and entry fees, in the ledger's order (when a lot changed)."""
    cost = 0.0
    for k in range(1, dusty[0] + 1):
        s = dusty[k]
        cost += pos_f[s, DUST_PX] * (pos_i[s, DUST_U] / UNIT) + pos_f[s, DUST_FEE]
    acc_f[ALL_DUST_COST] = cost
