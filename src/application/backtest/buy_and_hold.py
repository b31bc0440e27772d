"""Buy-and-hold benchmark: the capital split equally over the pairs at the first traded minute, held to the
end, marked at each pair's last close (like the runs' equity). The entry cost (taker fee and slippage) is
paid on the way in; the curve is marked, not sold, so no exit cost. A pair with no bar yet holds its
share as cash until its first bar, when it is bought at that close.
"""

from __future__ import annotations

import numpy as np

from application.backtest.market_grid import BacktestMarket

NAME = "buy and hold"


def buy_and_hold_curve(market: BacktestMarket, first_minute: int, capital: float, entry_cost: float,
                       max_points: int = 4000) -> tuple[tuple[int, float], ...]:
    """(close time ms, equity) at most `max_points` times, evenly spread, the last minute always in."""
    total = len(market.minutes)
    if first_minute >= total or not market.symbols:
        return ()
    step = max(1, (total - first_minute) // max_points)
    picked = np.arange(first_minute, total, step)
    if picked[-1] != total - 1:
        picked = np.append(picked, total - 1)
    ratios = np.ones((len(market.symbols), len(picked)))
    for i, symbol in enumerate(market.symbols):
        rows = market.rows[i, first_minute:]
        seen = np.flatnonzero(rows >= 0)
        if not seen.size:
            continue
        # the last bar seen at or before each minute (carried over gaps), from the pair's first bar on
        last = np.maximum.accumulate(np.where(rows >= 0, np.arange(len(rows)), -1))
        close = market.klines[symbol].close
        held = last[picked - first_minute]
        bought = held >= 0
        price = close[rows[held[bought]]]
        ratios[i, bought] = price / close[rows[seen[0]]]
    values = capital * (1 - entry_cost) * ratios.mean(axis=0)
    return tuple((market.close_ms(int(t)), float(v)) for t, v in zip(picked, values, strict=True))
