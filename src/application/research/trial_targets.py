"""What a lab candidate's model learns to predict: the `target` dimension of the search space.

Each target is a value per bar (percent, after the trial's costs) that the label compares with the
trial's `label_margin_pct` (label 1 when the value is above it). Every value reads only bars t+1..t+N of
its own symbol, N the trial's hold in bars: the walk-forward's purge gap (N + 1 bars) keeps it out of the
next part, and it is NaN where the window leaves the symbol's data or spans a hole in time.
- `outcome` (today's, the default): the net return of the trade the bot would make (next open, the
  trial's exits, fees and slippage; domain.outcome).
- `spec`: the spec's label (section 5.2: "+X% within N minutes"): the best rise from the bar's close to
  the highest high of the next N bars, less the round trip; above the margin X it is a 1.
- `forward`: the forward return over the hold: from the next open to the close of the hold's last bar
  (a timeout-only trade), less the round trip.
The round trip is the trial's (its fee tier and entry kind; each symbol at its own rates with a fee
table): domain.outcome.TradeCosts.round_trip_pct. Whatever the target, a candidate's trades are judged
by their real net return.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import sliding_window_view

from application.research.folds import PartMask
from application.research.period_bars import PeriodBars
from application.research.trial_params import TARGETS
from domain.outcome import TradeCosts
from domain.symbol_costs import SymbolCosts, costs_of

Floats = npt.NDArray[np.float64]


def _best_rise_pct(high: Floats, close: Floats, horizon: int) -> Floats:
    """(max(high[t+1..t+horizon]) / close[t] - 1) x 100 for t with a full window; the rest NaN."""
    out = np.full(len(close), np.nan)
    if len(close) > horizon:
        best = sliding_window_view(high[1:], horizon).max(axis=1)  # best[t] = max(high[t+1..t+horizon])
        t = len(close) - horizon
        out[:t] = (best[:t] / close[:t] - 1) * 100
    return out


def _forward_pct(open_: Floats, close: Floats, horizon: int) -> Floats:
    """(close[t+horizon] / open[t+1] - 1) x 100 for t with a full window; the rest NaN."""
    out = np.full(len(close), np.nan)
    t = len(close) - horizon
    if t > 0:
        out[:t] = (close[horizon:] / open_[1:t + 1] - 1) * 100
    return out


def _contiguous(time_ms: npt.NDArray[np.int64], horizon: int, interval_ms: int) -> npt.NDArray[np.bool_]:
    """True where bars t..t+horizon follow one another without a hole."""
    ok = np.zeros(len(time_ms), dtype=np.bool_)
    if len(time_ms) > horizon:
        ok[:len(time_ms) - horizon] = (time_ms[horizon:] - time_ms[:-horizon]) == horizon * interval_ms
    return ok


def target_values(bars: PeriodBars, target: str, horizon: int, costs: TradeCosts | SymbolCosts,
                  net: Floats) -> Floats:
    """Each bar's target value (%, after the round trip); `net` is the trade's net return (`outcome`)."""
    if target == "outcome":
        return net
    if target not in TARGETS:
        raise ValueError(f"target {target!r} is not one of {TARGETS}")
    out = np.full(len(bars), np.nan)
    for block in bars.blocks:
        if block.stop <= block.start:
            continue
        high, close, open_ = bars.high[block], bars.close[block], bars.open[block]
        gross = _best_rise_pct(high, close, horizon) if target == "spec" \
            else _forward_pct(open_, close, horizon)
        whole = _contiguous(bars.time_ms[block], horizon, bars.interval_ms)
        paid = costs_of(costs, bars.symbols[bars.symbol[block.start]]).round_trip_pct
        out[block] = np.where(whole, gross - paid, np.nan)
    return out


def gather_values(prior: Sequence[PeriodBars], nets: Sequence[Floats], values: Sequence[Floats],
                  mask: PartMask) -> Floats:
    """`values` at the rows `folds.gather(prior, nets, mask)` keeps, in its order (rows with a trade)."""
    parts = [value[mask(bars.time_ms) & np.isfinite(net)] for bars, net, value in zip(prior, nets, values,
                                                                                     strict=True)]
    return np.concatenate(parts) if parts else np.empty(0)


def labels_of(values: Floats, margin_pct: float) -> Floats:
    """1.0 where the value beats the margin (a NaN value, a window without data, is a 0)."""
    return (values > margin_pct).astype(np.float64)
