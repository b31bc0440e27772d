"""Outcome-aligned targets: what a trade entered after bar t would really have returned.

For every bar t the trade is entered at the NEXT bar's open plus slippage (the signal is only known when
bar t closes); a maker entry instead rests a limit buy at bar t's close (the bid) and fills only when the
next bar trades THROUGH it (its low strictly below the limit: at an equal price the order may still be
queued behind others), with no slippage; no fill, no trade (NaN). Then managed bar by bar with the
configured exit policy:
- stop-loss: a stop-market sell; when a bar's low reaches the stop it fills at the stop, or at the bar's
  open when the bar opens below it (a gap), less slippage;
- take-profit: a resting limit sell; it fills at its price only when a later high trades THROUGH it
  (high > price, the conservative maker rule); never in a maker entry's own bar (its high may have come
  before the fill);
- when one bar touches both, the stop is assumed first (the pessimistic order);
- trailing stop: arms when a previous bar's high reaches entry x (1 + activation), then follows the highest
  previous high at `distance` below (a bar's own high cannot protect that same bar: order unknown);
- timeout: sold at the close of the last bar of the horizon, less slippage (a market sell).
Fees are paid on both legs (maker or taker rate). A window that spans a gap in time has no outcome (NaN).
Everything is vectorised over bars with a loop over the (short) horizon only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

# Exit codes returned beside the returns.
EXIT_NONE, EXIT_TP, EXIT_SL, EXIT_TRAILING, EXIT_TIMEOUT = 0, 1, 2, 3, 4


@dataclass(frozen=True, slots=True)
class ExitRules:
    take_profit_pct: float  # fraction, 0.003 = +0.3%
    stop_loss_pct: float  # fraction
    timeout_bars: int
    trailing_activation_pct: float | None = None
    trailing_distance_pct: float = 0.0
    min_hold_bars: int = 0  # no trailing/timeout exit before this many bars


@dataclass(frozen=True, slots=True)
class TradeCosts:
    entry_fee: float = 0.001  # taker market buy
    take_profit_fee: float = 0.001  # maker limit sell (same as taker without a discount)
    exit_fee: float = 0.001  # taker market/stop sell
    slippage_pct: float = 0.0002  # adverse, on market entries and market exits
    maker_entry: bool = False  # a limit buy at the signal bar's close, filled only when traded through

    @property
    def round_trip_pct(self) -> float:
        market_legs = 1 if self.maker_entry else 2
        return (self.entry_fee + self.exit_fee + market_legs * self.slippage_pct) * 100


@dataclass(frozen=True, slots=True)
class Outcomes:
    net_return_pct: FloatArray  # NaN where undefined (end of data, gap in time)
    exit_code: npt.NDArray[np.int8]
    bars_held: npt.NDArray[np.int16]

    @property
    def win(self) -> FloatArray:
        """1.0 when the trade makes money after costs, 0.0 otherwise, NaN where undefined."""
        return np.where(np.isnan(self.net_return_pct), np.nan, (self.net_return_pct > 0).astype(np.float64))


def simulate_exits(open_: FloatArray, high: FloatArray, low: FloatArray, close: FloatArray,
                   open_time_ms: npt.NDArray[np.int64], rules: ExitRules, costs: TradeCosts,
                   interval_ms: int = 60_000) -> Outcomes:
    n = len(close)
    horizon = rules.timeout_bars
    ret = np.full(n, np.nan)
    code = np.zeros(n, dtype=np.int8)
    held = np.zeros(n, dtype=np.int16)
    last = n - 1 - horizon  # the last bar with a complete window t+1..t+horizon
    if last < 0 or horizon < 1:
        return Outcomes(ret, code, held)
    t = np.arange(last + 1)
    contiguous = (open_time_ms[t + horizon] - open_time_ms[t]) == horizon * interval_ms
    if costs.maker_entry:
        entry = close[t]
        contiguous &= low[t + 1] < entry  # traded through the bid; else the order never filled
    else:
        entry = open_[t + 1] * (1 + costs.slippage_pct)
    sl = entry * (1 - rules.stop_loss_pct)
    tp = entry * (1 + rules.take_profit_pct)
    alive = contiguous.copy()
    exit_price = np.full(t.shape, np.nan)
    exit_fee = np.full(t.shape, costs.exit_fee)
    exit_code = np.zeros(t.shape, dtype=np.int8)
    bars = np.zeros(t.shape, dtype=np.int16)
    highest = np.full(t.shape, -np.inf)  # highest high of the bars already completed in the trade
    for k in range(1, horizon + 1):
        j = t + k
        o, h, lo, c = open_[j], high[j], low[j], close[j]
        stop = sl.copy()
        if rules.trailing_activation_pct is not None and k - 1 >= max(rules.min_hold_bars, 1):
            armed = highest >= entry * (1 + rules.trailing_activation_pct)
            trail = highest * (1 - rules.trailing_distance_pct)
            use_trail = armed & (trail > stop)
            stop = np.where(use_trail, trail, stop)
        else:
            use_trail = np.zeros(t.shape, dtype=bool)
        # A gap below the stop at the open fills at the open (k > 1: bar k=1 opens at the entry price).
        stop_hit = alive & (lo <= stop)
        stop_fill = np.minimum(stop, o) if k > 1 else stop
        _settle(stop_hit, stop_fill * (1 - costs.slippage_pct), costs.exit_fee,
                np.where(use_trail, EXIT_TRAILING, EXIT_SL), k, exit_price, exit_fee, exit_code, bars, alive)
        tp_hit = alive & (h > tp) if k > 1 or not costs.maker_entry else np.zeros(t.shape, dtype=bool)
        _settle(tp_hit, tp, costs.take_profit_fee, EXIT_TP, k, exit_price, exit_fee, exit_code, bars, alive)
        if k == horizon:
            _settle(alive.copy(), c * (1 - costs.slippage_pct), costs.exit_fee, EXIT_TIMEOUT, k,
                    exit_price, exit_fee, exit_code, bars, alive)
        highest = np.maximum(highest, h)
    gross = exit_price / entry
    net = (1 - costs.entry_fee) * (1 - exit_fee) * gross - 1
    ret[t] = np.where(contiguous, net * 100, np.nan)
    code[t] = np.where(contiguous, exit_code, EXIT_NONE)
    held[t] = np.where(contiguous, bars, 0)
    return Outcomes(ret, code, held)


def _settle(hit: npt.NDArray[np.bool_], price: FloatArray | float, fee: float,
            reason: npt.NDArray[np.int64] | int, k: int, exit_price: FloatArray, exit_fee: FloatArray,
            exit_code: npt.NDArray[np.int8], bars: npt.NDArray[np.int16],
            alive: npt.NDArray[np.bool_]) -> None:
    exit_price[hit] = np.broadcast_to(price, hit.shape)[hit]
    exit_fee[hit] = fee
    exit_code[hit] = np.broadcast_to(reason, hit.shape)[hit]
    bars[hit] = k
    alive &= ~hit
