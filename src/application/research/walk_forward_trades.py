"""The test period's trades behind a fold's rows, kept to the end of the walk-forward for the trust figures
(application/research/edge_preset_trust.py): the EV gate's and the model's top decile (net %, entry time
ms, and each trade's symbol as a 2-byte code into the period's symbols, so a fee table's own rates price
its break-even), and every bar's trade, the market drift, with its entry minute in 4 bytes instead of 8:
millions of trades over the folds, whose trust figures read only the day of each."""

from __future__ import annotations

from typing import NamedTuple, Protocol

import numpy as np
import numpy.typing as npt

from application.research.period_rows import TimedRows
from domain.time_units import MINUTE_MS

Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]
Codes = npt.NDArray[np.integer]
EVERY_BAR = "all bars"


class StoredTrades(NamedTuple):
    net: Floats
    time: Codes  # entry time ms; every bar's: its entry minute (int32)
    symbol: Codes | None  # each trade's code into `symbols` (int16); None for every bar's (never priced)
    symbols: tuple[str, ...] = ()


FoldTrades = dict[str, StoredTrades]


class SymbolRows(TimedRows, Protocol):
    """A test period's rows that say their symbol: a code per row into the period's symbols."""

    @property
    def symbol(self) -> Codes: ...

    @property
    def symbols(self) -> tuple[str, ...]: ...


def symbol_code_type(symbols: int) -> type[np.signedinteger]:
    """The smallest code that indexes this many symbols (2 bytes up to 32,767)."""
    return np.int16 if symbols <= np.iinfo(np.int16).max else np.int32


def fold_trades(net: Floats, rows: SymbolRows, selected: Bools, top_decile: Bools) -> FoldTrades:
    tradable = np.isfinite(net)
    code = symbol_code_type(len(rows.symbols))
    trades: FoldTrades = {}
    for name, mask in (("EV gate", selected), ("model decile 10", top_decile)):
        kept = mask & tradable
        trades[name] = StoredTrades(net[kept], rows.time_ms[kept], rows.symbol[kept].astype(code),
                                    rows.symbols)
    trades[EVERY_BAR] = StoredTrades(net[tradable], (rows.time_ms[tradable] // MINUTE_MS).astype(np.int32),
                                     None)
    return trades


def entry_times_ms(name: str, stored: Codes) -> npt.NDArray[np.int64]:
    """The entry times (ms) of the trades `fold_trades` stored under `name` (every bar's: the minute's
    start, the same day)."""
    if name == EVERY_BAR:
        return stored.astype(np.int64) * MINUTE_MS
    return stored.astype(np.int64, copy=False)
