"""Closed candles of one symbol held as columns: a Sequence[Candle] that builds a Candle only when one is
asked for. A replay's backfill hands the market memory its history this way; readers that know the type
(CandleRing.merge) take the columns as they are."""

from __future__ import annotations

from collections.abc import Sequence
from typing import overload

import numpy as np
import numpy.typing as npt

from domain.features import KlineArrays
from domain.values import Candle


class CandleColumns(Sequence[Candle]):
    def __init__(self, symbol: str, klines: KlineArrays) -> None:
        self.symbol, self.klines = symbol, klines

    def __len__(self) -> int:
        return len(self.klines)

    @overload
    def __getitem__(self, index: int) -> Candle: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Candle]: ...

    def __getitem__(self, index: int | slice) -> Candle | Sequence[Candle]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if not -len(self) <= index < len(self):
            raise IndexError(index)
        return self.klines.candle(self.symbol, index % len(self))

    def trades_as_candles(self) -> npt.NDArray[np.float64]:
        """The trade counts as Candle.trades holds them (a whole number; 0 where the source lacks it)."""
        trades = self.klines.trades
        return np.where(np.isfinite(trades), np.trunc(trades), 0.0)
