"""Training targets (spec 5.2): did the high reach +threshold above the close within the next bars?

The label at row t reads rows t+1..t+horizon only (the future the model must predict) and the close of
row t. It is NaN (undefined, never 0) where that future is not all there:
- the last `horizon` rows of a history (no future yet);
- rows whose horizon spans a gap in time: the label is defined only if
  open_time[t + horizon] - open_time[t] == horizon * interval_ms, i.e. the next `horizon` bars are the
  next `horizon` intervals with none missing.
`threshold` is a fraction (0.002 means +0.2 %, as settings.labels.threshold_pct); `max_move_pct` returns
percent.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]


def _future_max_high(high: Floats, horizon: int) -> Floats:
    """max(high[t+1..t+horizon]) at t; NaN for the last `horizon` rows."""
    n = len(high)
    out = np.full(n, np.nan)
    if n <= horizon:
        return out
    best = high[1:n - horizon + 1].copy()
    for j in range(2, horizon + 1):
        np.maximum(best, high[j:n - horizon + j], out=best)
    out[:n - horizon] = best
    return out


def _gap_free(open_time_ms: npt.NDArray[np.int64] | None, n: int, horizon: int,
              interval_ms: int) -> npt.NDArray[np.bool_]:
    ok = np.zeros(n, dtype=bool)
    if n <= horizon:
        return ok
    if open_time_ms is None:
        ok[:n - horizon] = True
        return ok
    if len(open_time_ms) != n:
        raise ValueError(f"open_time_ms has {len(open_time_ms)} rows, prices have {n}")
    span = open_time_ms[horizon:] - open_time_ms[:n - horizon]
    ok[:n - horizon] = span == horizon * interval_ms
    return ok


def _check(high: Floats, close: Floats, horizon: int) -> None:
    if horizon < 1:
        raise ValueError(f"horizon must be at least 1 bar, got {horizon}")
    if len(high) != len(close):
        raise ValueError(f"high has {len(high)} rows, close has {len(close)}")


def max_move_pct(high: Floats, close: Floats, horizon: int = 3, *,
                 open_time_ms: npt.NDArray[np.int64] | None = None,
                 interval_ms: int = 60_000) -> Floats:
    """Highest high of the next `horizon` bars against the close of t, in percent (the move target).

    NaN where the label is undefined (end of history, gap in time). Without open_time_ms, rows are
    assumed consecutive.
    """
    high = np.asarray(high, dtype=np.float64)
    close = np.asarray(close, dtype=np.float64)
    _check(high, close, horizon)
    move = (_future_max_high(high, horizon) - close) / close * 100.0
    move[~_gap_free(open_time_ms, len(close), horizon, interval_ms)] = np.nan
    return move


def spec_label(high: Floats, close: Floats, horizon: int = 3, threshold: float = 0.002, *,
               open_time_ms: npt.NDArray[np.int64] | None = None,
               interval_ms: int = 60_000) -> Floats:
    """1.0 when (max(high[t+1..t+horizon]) - close[t]) / close[t] >= threshold (spec 5.2's
    formula), else 0.0; NaN where undefined (see module doc). float64 so the NaN survives."""
    high = np.asarray(high, dtype=np.float64)
    close = np.asarray(close, dtype=np.float64)
    _check(high, close, horizon)
    future = _future_max_high(high, horizon)
    with np.errstate(invalid="ignore"):
        label = ((future - close) / close >= threshold).astype(np.float64)
    label[np.isnan(future) | ~_gap_free(open_time_ms, len(close), horizon, interval_ms)] = np.nan
    return label
