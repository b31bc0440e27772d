"""What one simulated trade costs, per symbol: a default TradeCosts and the symbols that pay their own
rates (a fee table's zero-fee pairs, a quote asset priced otherwise), for research and labels.

`columns` is the same table as plain arrays, one row per symbol in a given order (a PeriodBars' symbols):
what array code and compiled kernels read instead of Python objects.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from domain.outcome import TradeCosts

Floats = npt.NDArray[np.float64]
COLUMNS = ("entry_fee", "take_profit_fee", "exit_fee", "slippage_pct")


@dataclass(frozen=True)
class SymbolCosts:
    default: TradeCosts
    own: Mapping[str, TradeCosts] = field(default_factory=dict)

    def for_symbol(self, symbol: str) -> TradeCosts:
        return self.own.get(symbol, self.default)

    def columns(self, symbols: Sequence[str]) -> dict[str, Floats]:
        """{entry_fee, take_profit_fee, exit_fee, slippage_pct}: one float64 row per symbol."""
        chosen = [self.for_symbol(s) for s in symbols]
        return {name: np.array([getattr(c, name) for c in chosen], dtype=np.float64) for name in COLUMNS}

    def round_trips_pct(self, symbols: Sequence[str]) -> Floats:
        """Each symbol's round trip (both fees and the market legs' slippage), percent."""
        return np.array([self.for_symbol(s).round_trip_pct for s in symbols], dtype=np.float64)


def costs_of(costs: TradeCosts | SymbolCosts, symbol: str) -> TradeCosts:
    return costs.for_symbol(symbol) if isinstance(costs, SymbolCosts) else costs
