"""Batch precomputation for a backtest: scanner candidates, features and model scores for every bar.

The trading loop scores only the scanner's top candidates each scan, so only those bars are scored:
the scanner's quick score is computed for every bar of every symbol (backtest_scanner), the top
`top_candidates` per minute are kept, and the model scores their feature rows in large batches.
Features are computed per gap-free segment of each symbol (no indicator spans a hole), on the whole
history at once: row t depends only on rows <= t (domain.features), so no look-ahead.

The result is an EntryPlan: per minute, the ranked candidates and what the model said of them, plus
`passes` = the prediction passes the signal rules (domain.signal.why_not). The backtest acts only at
minutes where some candidate passes (or a position is open); the loop then decides for real.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt

from application.backtest.bar_scanner import bar_scores, top_candidates
from application.backtest.market_grid import BacktestMarket
from domain.features import FEATURE_NAMES, KlineArrays, compute_features
from domain.scanner_rules import ScannerRules
from domain.signal import Prediction, SignalThresholds, why_not
from domain.time_units import MINUTE_MS
from ports.model import BatchScorer, Model

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Scores = tuple[Floats, Floats, Floats, Floats]


@dataclass(frozen=True)
class EntryPlan:
    """Candidate cells sorted by minute then rank. Prediction columns are NaN where unknown."""

    name: str
    minute: Ints
    symbol: Ints
    probability: Floats
    confidence: Floats
    move_pct: Floats
    net_return_pct: Floats
    passes: npt.NDArray[np.bool_]

    def __len__(self) -> int:
        return len(self.minute)

    @cached_property
    def cell_symbols(self) -> list[int]:
        """`symbol` as Python ints (the replay reads a few cells a minute: no numpy scalar each time)."""
        symbols: list[int] = self.symbol.tolist()
        return symbols

    @cached_property
    def cell_passes(self) -> list[bool]:
        passes: list[bool] = self.passes.tolist()
        return passes

    @cached_property
    def _first_cells(self) -> list[int]:
        """Item t: the first cell at minute t or after, for t in 0 .. the last minute + 1 (one search for
        every minute at once: a replay asks for the cells of each minute it passes, ~10 000 a week)."""
        last = int(self.minute[-1]) if len(self.minute) else -1
        firsts: list[int] = np.searchsorted(self.minute, np.arange(last + 2), side="left").tolist()
        return firsts

    def cells_at(self, t: int) -> range:
        firsts = self._first_cells
        if 0 <= t < len(firsts) - 1:
            return range(firsts[t], firsts[t + 1])
        return range(0) if t < 0 else range(len(self.minute), len(self.minute))  # as bisect would say

    def signal_minutes(self) -> Ints:
        """Minutes where at least one candidate passes the signal rules (the cells are sorted by minute:
        each minute's first passing cell, found without np.unique's sort)."""
        minutes = self.minute[self.passes]
        first = np.ones(len(minutes), dtype=np.bool_)
        np.not_equal(minutes[1:], minutes[:-1], out=first[1:])
        return minutes[first]

    def prediction(self, cell: int, symbol: str, time_ms: int) -> Prediction:
        return Prediction(symbol=symbol, probability_up=self.probability.item(cell),  # item(): no np scalar
                          confidence=self.confidence.item(cell),
                          predicted_move_pct=self.move_pct.item(cell), time_ms=time_ms,
                          expected_net_return_pct=self.net_return_pct.item(cell))


def gap_free_segments(open_time_ms: Ints) -> list[slice]:
    breaks = np.flatnonzero(np.diff(open_time_ms) != MINUTE_MS) + 1
    bounds = [0, *breaks.tolist(), len(open_time_ms)]
    return [slice(a, b) for a, b in itertools.pairwise(bounds) if b > a]


def scanner_candidates(market: BacktestMarket, rules: ScannerRules, top_n: int,
                       step: Callable[[], None] = lambda: None,
                       ) -> tuple[Ints, Ints, Floats, npt.NDArray[np.bool_]]:
    """(minute, symbol, quick score, alert) of the top-N scanner candidates of every minute."""
    shape = market.rows.shape
    scores = np.zeros(shape)
    alerts = np.zeros(shape, dtype=np.bool_)
    for s, name in enumerate(market.symbols):
        found = bar_scores(market.klines[name], rules)
        at = market.rows[s] >= 0
        scores[s, at] = found.quick_score
        alerts[s, at] = found.alert
        step()
    minute, symbol = top_candidates(scores, top_n)
    return minute, symbol, scores[symbol, minute], alerts[symbol, minute]


def score_cells(market: BacktestMarket, model: Model, minute: Ints, symbol: Ints,
                chunk_rows: int = 50_000, step: Callable[[], None] = lambda: None) -> Scores:
    """The model's view of each (minute, symbol) cell: features of that bar, scored in batches."""
    n = len(minute)
    out = tuple(np.full(n, np.nan) for _ in range(4))
    for s, name in enumerate(market.symbols):
        step()
        cells = np.flatnonzero(symbol == s)
        if cells.size == 0:
            continue
        k = market.klines[name]
        rows = market.rows[s, minute[cells]].astype(np.int64)
        features = np.full((len(k), len(FEATURE_NAMES)), np.nan)
        for segment in gap_free_segments(k.open_time_ms):
            wanted = (rows >= segment.start) & (rows < segment.stop)
            if wanted.any():
                features[segment] = compute_features(_slice(k, segment))
        table = features[rows]
        for lo in range(0, len(cells), chunk_rows):
            part = cells[lo:lo + chunk_rows]
            scored = _score(model, [name] * len(part), table[lo:lo + chunk_rows])
            for column, values in zip(out, scored, strict=True):
                column[part] = values
    return out[0], out[1], out[2], out[3]


def _score(model: Model, symbols: Sequence[str], rows: Floats) -> Scores:
    if isinstance(model, BatchScorer):
        return model.score(rows)
    predictions = model.predict(symbols, rows, 0)
    return (np.array([p.probability_up for p in predictions]), np.array([p.confidence for p in predictions]),
            np.array([p.predicted_move_pct for p in predictions]),
            np.array([p.expected_net_return_pct for p in predictions]))


def _slice(k: KlineArrays, segment: slice) -> KlineArrays:
    return KlineArrays(k.open_time_ms[segment], k.open[segment], k.high[segment], k.low[segment],
                       k.close[segment], k.volume[segment], k.taker_buy_base_volume[segment],
                       k.quote_volume[segment], k.trades[segment])


def passing(market: BacktestMarket, minute: Ints, symbol: Ints, scores: Scores,
            thresholds: SignalThresholds, ev_shift: Callable[[str], float] | None = None
            ) -> npt.NDArray[np.bool_]:
    """Which cells pass the signal rules and can be entered (a next bar exists to fill in). `ev_shift`:
    what a symbol's own fees add to its expected net return, as the loop's ScoreCandidates adds it."""
    probability = scores[0]
    tradable = market.has_next_bar()[symbol, minute]
    # A necessary condition of why_not, vectorised only to skip the cells it would refuse anyway.
    maybe = np.flatnonzero(tradable & (probability >= thresholds.min_probability))
    out = np.zeros(len(minute), dtype=np.bool_)
    none: frozenset[str] = frozenset()
    for cell in maybe.tolist():
        net = float(scores[3][cell])
        if ev_shift is not None:
            net += ev_shift(market.symbols[int(symbol[cell])])
        p = Prediction("", float(probability[cell]), float(scores[1][cell]), float(scores[2][cell]), 0, net)
        out[cell] = why_not(p, thresholds, none) is None
    return out


def model_plan(market: BacktestMarket, model: Model, rules: ScannerRules, thresholds: SignalThresholds,
               top_n: int, *, trade_from_minute: int = 0, chunk_rows: int = 50_000,
               progress: Callable[[int, int], None] | None = None,
               ev_shift: Callable[[str], float] | None = None) -> EntryPlan:
    """The model run's plan: the scanner's top-N candidates each minute, scored by the model.
    `progress` is told (symbols done, 2 x symbols): each symbol is scanned, then scored."""
    total, done = 2 * len(market.symbols), [0]

    def step() -> None:
        done[0] += 1
        if progress is not None:
            progress(done[0], total)

    minute, symbol, _, _ = scanner_candidates(market, rules, top_n, step)
    keep = minute >= trade_from_minute
    minute, symbol = minute[keep], symbol[keep]
    scores = score_cells(market, model, minute, symbol, chunk_rows, step)
    return EntryPlan("model", minute, symbol, *scores, passes=passing(market, minute, symbol, scores,
                                                                       thresholds, ev_shift))


def ev_gate_blocked_all(plan: EntryPlan, thresholds: SignalThresholds) -> bool:
    """True when the EV gate is on and no candidate's expected net return clears its margin."""
    margin = thresholds.min_expected_net_return_percent
    if margin is None or len(plan) == 0:
        return False
    net = plan.net_return_pct
    return not bool(np.any(np.isfinite(net) & (net > margin))) and not math.isnan(margin)
