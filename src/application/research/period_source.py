"""A market period kept as its klines, its bars built one symbol at a time when a fold asks for them.

The streamed walk-forward (walk_forward_streamed.py) never holds a period's whole feature matrix: a
symbol's features are computed (exactly as build_period_bars computes them), read and dropped. What stays
is one flag per kline: whether the bar has warmed up (a row of the period's bars).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from application.research.period_bars import PeriodBars, bars_of, symbol_part, usable_symbols
from domain.features import WARMUP_BARS, KlineArrays
from domain.scanner_rules import ScannerRules
from domain.time_units import MINUTE_MS

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]


@dataclass
class PeriodSource:
    name: str
    klines: Mapping[str, KlineArrays]  # this period's klines only (views are fine: nothing writes)
    rules: ScannerRules
    interval_ms: int = MINUTE_MS
    with_scanner: bool = True
    symbols: tuple[str, ...] = field(init=False)
    _ready: dict[int, Bools] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.symbols = usable_symbols(self.klines)
        if not self.symbols:
            raise ValueError(f"period {self.name}: no symbol has {WARMUP_BARS} consecutive bars to warm up "
                             "on")

    def symbol_bars(self, code: int) -> PeriodBars:
        """The period's rows of one symbol (one block), with its features and scanner view."""
        k = self.klines[self.symbols[code]]
        part = symbol_part(k, code, self.rules, interval_ms=self.interval_ms, with_scanner=self.with_scanner)
        if code not in self._ready:
            self._ready[code] = np.isin(k.open_time_ms, part["time_ms"], assume_unique=True)
        return bars_of(self.name, self.symbols, [part], self.interval_ms)

    def symbol_prices(self, code: int) -> PeriodBars:
        """The same rows without features (zero columns) nor scanner view: enough to simulate trades."""
        k = self.klines[self.symbols[code]]
        ready = self.ready(code)
        n = int(ready.sum())
        return PeriodBars(self.name, self.symbols, np.full(n, code, dtype=np.int64), k.open_time_ms[ready],
                          k.open[ready], k.high[ready], k.low[ready], k.close[ready],
                          np.empty((n, 0), dtype=np.float32), np.zeros(n), np.zeros(n, dtype=np.bool_),
                          (slice(0, n),), self.interval_ms)

    def ready(self, code: int) -> Bools:
        """Which of the symbol's klines are rows of the period's bars (features warmed up)."""
        if code not in self._ready:
            self.symbol_bars(code)
        return self._ready[code]

    def symbol_times(self, code: int) -> Ints:
        times: Ints = self.klines[self.symbols[code]].open_time_ms[self.ready(code)]
        return times

    @property
    def time_ms(self) -> Ints:
        """Every row's open time, in row order (symbol blocks, time inside a block)."""
        parts = [self.symbol_times(code) for code in range(len(self.symbols))]
        return np.concatenate(parts).astype(np.int64, copy=False)

    def __len__(self) -> int:
        return sum(int(self.ready(code).sum()) for code in range(len(self.symbols)))
