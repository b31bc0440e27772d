"""The scanner-rule baseline's decisions as a plain numpy loop: the reference bench_backtest.py times the
real trading loop against (same entries, TP/SL/timeout exits, fees, one position at a time).

Not a second simulator: no lot steps, no dust, no risk book beyond one open position and the hourly and
daily entry counts. It does the same
work per decision with nothing else, so loop bars/s divided by reference bars/s says how much of the
replay is bookkeeping, independently of the machine's speed.
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass

import numpy as np

from application.backtest.market_grid import BacktestMarket
from application.backtest.precompute import EntryPlan


@dataclass(frozen=True)
class Costs:
    take_profit_pct: float
    stop_loss_pct: float
    timeout_minutes: int
    fee_rate: float
    slippage: float  # fraction of the price paid on a market buy
    max_per_hour: int  # entries in a sliding 60 minutes
    max_per_day: int  # entries per UTC day


def reference_trades(market: BacktestMarket, plan: EntryPlan, first_minute: int, costs: Costs) -> list[float]:
    """PnL (fraction of the stake, fees included) of each trade the plan's passing cells open."""
    pnl: list[float] = []
    free_from = first_minute
    entries: deque[int] = deque()  # entry minutes of the last hour
    per_day: Counter[int] = Counter()
    cells = np.flatnonzero(plan.passes & (plan.minute >= first_minute))
    for cell in cells.tolist():
        t, s = int(plan.minute[cell]), int(plan.symbol[cell])
        if t < free_from:
            continue
        while entries and entries[0] <= t - 60:
            entries.popleft()
        day = int(market.minutes[t]) // 86_400_000
        if len(entries) >= costs.max_per_hour or per_day[day] >= costs.max_per_day:
            continue
        k = market.klines[market.symbols[s]]
        row = int(market.rows[s, t])
        if row < 0 or row + 1 >= len(k):
            continue
        entry = float(k.open[row + 1]) * (1 + costs.slippage)
        take, stop = entry * (1 + costs.take_profit_pct), entry * (1 - costs.stop_loss_pct)
        end = min(row + 1 + costs.timeout_minutes, len(k))
        low, high = k.low[row + 1:end], k.high[row + 1:end]
        stopped, taken = np.flatnonzero(low <= stop), np.flatnonzero(high >= take)
        at_stop = int(stopped[0]) if len(stopped) else end
        at_take = int(taken[0]) if len(taken) else end
        if at_stop <= at_take and len(stopped):
            exit_price, exit_row = stop, row + 1 + at_stop
        elif len(taken):
            exit_price, exit_row = take, row + 1 + at_take
        else:
            exit_price, exit_row = float(k.close[end - 1]), end - 1
        pnl.append(exit_price / entry * (1 - costs.fee_rate) - (1 + costs.fee_rate))
        entries.append(t)
        per_day[day] += 1
        free_from = int(np.searchsorted(market.minutes, k.open_time_ms[exit_row])) + 1
    return pnl
