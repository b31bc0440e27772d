"""What the trading loop sees in a backtest: the same interfaces as live, served from an EntryPlan.

- PlannedScanner (the loop's MarketScanner): the minute's top candidates, ranked as the scanner ranked
  them (none when none of them passes the signal rules). The minute is the last one closed by the
  clock, so the loop never sees a later one.
- PrecomputedPredictions (the Model port): the prediction the model gave that candidate's bar in the
  batch pass; NaN (fails every signal rule) for a symbol that was not a candidate then.
- blank_features: the loop's feature step. Features were computed in the batch pass, so this returns
  a row of the right width that PrecomputedPredictions does not read (and no kline arrays are built).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from application.backtest.market_grid import BacktestMarket
from application.backtest.precompute import EntryPlan
from application.score_candidates import PrecomputedFeatures
from domain.fast_init import fast_frozen_init
from domain.features import FEATURE_NAMES
from domain.market_events import MarketEvent
from domain.position import CompletedTrade
from domain.signal import Prediction
from ports.clock import Clock
from ports.journal import TradeJournal


@fast_frozen_init
@dataclass(frozen=True, slots=True)
class PlannedCandidate:
    symbol: str
    score_rank: int


class PlannedScanner:
    def __init__(self, market: BacktestMarket, plan: EntryPlan, clock: Clock) -> None:
        self._market, self._plan, self._clock = market, plan, clock

    def on_event(self, event: MarketEvent) -> None:
        """Scanner state was computed in the batch pass: live events add nothing."""

    def candidates(self, n: int) -> list[PlannedCandidate]:
        """The minute's ranked candidates; none at a minute where no candidate passes the signal rules
        (the scan could not trade then whoever it watched: this skips its work, not a decision)."""
        t = self._market.minute_at(self._clock.now_ms())
        cells = self._plan.cells_at(t) if t >= 0 else range(0)
        passes, cell_symbols = self._plan.cell_passes, self._plan.cell_symbols
        if not any(passes[c] for c in cells):
            return []
        symbols = self._market.symbols
        return [PlannedCandidate(symbols[cell_symbols[c]], rank) for rank, c in enumerate(cells[:max(n, 0)])]

    async def refresh_universe(self, *, force: bool = False) -> Sequence[str] | None:
        return self._market.symbols if force else None


class PrecomputedPredictions:
    def __init__(self, market: BacktestMarket, plan: EntryPlan, version: str = "precomputed",
                 feature_names: Sequence[str] = FEATURE_NAMES,
                 ev_gate_margin_pct: float | None = None) -> None:
        self._market, self._plan = market, plan
        self._version, self._names = version, tuple(feature_names)
        self._gate = ev_gate_margin_pct  # the scored model's gate: the replay applies the same margin
        self._index = {s: i for i, s in enumerate(market.symbols)}

    @property
    def feature_names(self) -> Sequence[str]:
        return self._names

    @property
    def version(self) -> str:
        return self._version

    @property
    def ev_gate_margin_pct(self) -> float | None:
        return self._gate

    def predict(self, symbols: Sequence[str], rows: npt.NDArray[np.float64],
                time_ms: int) -> list[Prediction]:
        if len(symbols) != len(rows):
            raise ValueError(f"{len(symbols)} symbols for {len(rows)} feature rows")
        t = self._market.minute_at(time_ms)
        cells = self._plan.cells_at(t) if t >= 0 else range(0)
        return [self._predict(symbol, cells, time_ms) for symbol in symbols]

    def _predict(self, symbol: str, cells: range, time_ms: int) -> Prediction:
        """The prediction of `symbol`'s cell among the minute's (its last one, should it have several):
        the scan asks about one or two symbols among a few cells, fewer steps than a map of them all."""
        index, symbol_of = self._index.get(symbol, -1), self._plan.cell_symbols
        for cell in reversed(cells):
            if symbol_of[cell] == index:
                return self._plan.prediction(cell, symbol, time_ms)
        return Prediction(symbol, math.nan, math.nan, math.nan, time_ms)


blank_features = PrecomputedFeatures(len(FEATURE_NAMES))


class RecordingJournal:
    """ports.journal.TradeJournal that keeps every trade in memory and forwards it to `inner` (the CSV
    and JSON files), so the backtest reads its trades without reading the files back."""

    def __init__(self, inner: TradeJournal | None = None) -> None:
        self._inner = inner
        self.recorded: list[CompletedTrade] = []

    def record(self, trade: CompletedTrade) -> None:
        if self._inner is not None:
            self._inner.record(trade)
        self.recorded.append(trade)

    def trades(self) -> Sequence[CompletedTrade]:
        return tuple(self.recorded)
