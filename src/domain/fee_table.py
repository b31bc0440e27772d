"""Commission rates per symbol: a default schedule and the symbols that pay otherwise (zero-fee pairs,
promotions, a quote asset with its own rates), as Binance's account commission endpoint reports them
or as a fee table in config says.

`effective_rates` gives the table as plain arrays (one row per symbol, effective taker and maker) for
array code (the research kernels); `round_trip_shift_pct` is how much cheaper (positive) or dearer a
symbol's round trip is than the default's, in percent: the amount a model priced at the default rates
under-states that symbol's expected net return.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from domain.fees import FeeSchedule

Floats = npt.NDArray[np.float64]


@dataclass(frozen=True)
class FeeTable:
    default: FeeSchedule = field(default_factory=FeeSchedule)
    symbols: Mapping[str, FeeSchedule] = field(default_factory=dict)

    def for_symbol(self, symbol: str) -> FeeSchedule:
        return self.symbols.get(symbol, self.default)

    def with_symbol(self, symbol: str, schedule: FeeSchedule) -> FeeTable:
        return FeeTable(self.default, {**self.symbols, symbol: schedule})

    def with_bnb(self, on: bool) -> FeeTable:
        return FeeTable(self.default.with_bnb(on), {s: f.with_bnb(on) for s, f in self.symbols.items()})

    def round_trip_shift_pct(self, symbol: str, *, maker_exit: bool) -> float:
        """Default round trip minus this symbol's, percent (0.0 exactly for a symbol at the default)."""
        own = self.symbols.get(symbol)
        if own is None or own == self.default:
            return 0.0
        return (self.default.round_trip(maker_exit=maker_exit) - own.round_trip(maker_exit=maker_exit)) * 100

    def effective_rates(self, symbols: Sequence[str]) -> tuple[Floats, Floats]:
        """(taker, maker) effective rates, one row per symbol in `symbols`' order."""
        chosen = [self.for_symbol(s) for s in symbols]
        return (np.array([f.effective_taker for f in chosen], dtype=np.float64),
                np.array([f.effective_maker for f in chosen], dtype=np.float64))
