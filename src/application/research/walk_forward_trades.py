"""The test period's trades behind a fold's rows, kept to the end of the walk-forward for the trust figures
(application/research/edge_preset_trust.py): the EV gate's and the model's top decile (net %, entry time
ms), and every bar's trade, the market drift, with its entry minute in 4 bytes instead of 8: millions of
trades over the folds, whose trust figures read only the day of each."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from domain.time_units import MINUTE_MS

Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]
FoldTrades = dict[str, tuple[Floats, npt.NDArray[np.integer]]]
EVERY_BAR = "all bars"


def fold_trades(net: Floats, time_ms: npt.NDArray[np.int64], selected: Bools, top_decile: Bools
                ) -> FoldTrades:
    tradable = np.isfinite(net)
    trades: FoldTrades = {name: (net[mask & tradable], time_ms[mask & tradable])
                          for name, mask in (("EV gate", selected), ("model decile 10", top_decile))}
    trades[EVERY_BAR] = (net[tradable], (time_ms[tradable] // MINUTE_MS).astype(np.int32))
    return trades


def entry_times_ms(name: str, stored: npt.NDArray[np.integer]) -> npt.NDArray[np.int64]:
    """The entry times (ms) of the trades `fold_trades` stored under `name` (every bar's: the minute's
    start, the same day)."""
    if name == EVERY_BAR:
        return stored.astype(np.int64) * MINUTE_MS
    return stored.astype(np.int64, copy=False)
