"""Score the scanner's candidates (spec 3.3): features from memory -> one model batch -> signals.

Only candidates with a full, contiguous, fresh history (WARMUP_BARS closed candles) are scored: a
half-converged feature is never shown to the model. When nothing passes, `no_trade_reason` says why in
one sentence (the bot always says why it does not trade).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt
from loguru import logger

from application.market_memory import MarketMemory
from domain.fast_init import fast_frozen_init
from domain.features import BookFeaturesInput, KlineArrays, latest_features
from domain.signal import Prediction, SignalThresholds, TradeSignal, generate_signals, signal_score, why_not
from ports.model import Model

FeatureRow = Callable[[KlineArrays, BookFeaturesInput | None], npt.NDArray[np.float64]]
RowsSeen = Callable[[npt.NDArray[np.float64], int], None]  # rows, now_ms
EvShift = Callable[[str], float]  # percent added to a symbol's expected net return (its own fees)


class PrecomputedFeatures:
    """The feature step of a replay whose features and predictions were computed in a batch pass: its
    row is never read (the model serves the precomputed prediction), so ScoreCandidates builds no kline
    arrays for it. Readiness (a full, contiguous, fresh history) is still asked of the memory."""

    def __init__(self, width: int) -> None:
        self.width = width

    def __call__(self, _klines: KlineArrays, _book: BookFeaturesInput | None) -> npt.NDArray[np.float64]:
        return np.zeros(self.width)


@fast_frozen_init  # one per scan: no default factory, so the direct-slot __init__ applies
@dataclass(frozen=True, slots=True)
class ScoredCandidates:
    signals: list[TradeSignal]
    predictions: Sequence[Prediction] = ()
    not_ready: tuple[str, ...] = ()
    no_trade_reason: str | None = None


class ScoreCandidates:
    def __init__(self, memory: MarketMemory, model: Model, thresholds: SignalThresholds, warmup_bars: int,
                 features: FeatureRow = latest_features, on_rows: RowsSeen | None = None,
                 ev_shift: EvShift | None = None) -> None:
        """`on_rows`: sees every batch of feature rows scored (the model's drift watch, guard_model.py).
        `ev_shift`: what a symbol's own fees change in the model's expected net return (symbol_fees.py)."""
        self._memory, self._model, self._thresholds = memory, model, thresholds
        self._warmup_bars, self._features, self._on_rows = warmup_bars, features, on_rows
        self._ev_shift = ev_shift

    def __call__(self, symbols: Sequence[str], held: Collection[str], now_ms: int) -> ScoredCandidates:
        ready: list[str] = []
        rows: list[npt.NDArray[np.float64]] = []
        prices: dict[str, float] = {}
        not_ready: list[str] = []
        # Features computed in a batch pass: their rows are never read, one block of zeros stands for them.
        precomputed = self._features.width if isinstance(self._features, PrecomputedFeatures) else None
        for symbol in symbols:
            price = self._memory.current_price(symbol)
            if price is None or not self._memory.is_ready(symbol, self._warmup_bars):
                not_ready.append(symbol)
                continue
            book = self._memory.orderbook(symbol)
            try:
                book_input = BookFeaturesInput.from_book(book, price) if book is not None else None
                if precomputed is None:
                    rows.append(self._features(self._memory.klines(symbol, self._warmup_bars), book_input))
            except (ValueError, ArithmeticError) as exc:  # one bad history must not cost the whole scan
                logger.bind(symbol=symbol).warning("Features of {} not computed: {}", symbol, exc)
                not_ready.append(symbol)
                continue
            ready.append(symbol)
            prices[symbol] = price
        if not ready:
            return ScoredCandidates([], not_ready=tuple(not_ready), no_trade_reason=(
                f"no trade: no candidate ready yet ({len(not_ready)} warming up or stale)" if not_ready
                else "no trade: the scanner has no candidate"))
        batch = np.vstack(rows) if precomputed is None else np.zeros((len(ready), precomputed))
        predictions = self._model.predict(ready, batch, now_ms)
        if self._ev_shift is not None:
            predictions = [_priced_for_symbol(p, self._ev_shift(p.symbol)) for p in predictions]
        if self._on_rows is not None:
            self._on_rows(batch, now_ms)
        signals = generate_signals(predictions, prices, self._thresholds, held)
        reason = None if signals else self._why_no_trade(predictions, frozenset(held))
        return ScoredCandidates(signals, predictions, tuple(not_ready), reason)

    def _why_no_trade(self, predictions: Sequence[Prediction], held: frozenset[str]) -> str:
        if not predictions:
            return "no trade: the model returned no prediction"
        margin = self._thresholds.min_expected_net_return_percent
        if margin is not None:
            returns = [p.expected_net_return_pct for p in predictions
                       if math.isfinite(p.expected_net_return_pct)]
            if not any(r > margin for r in returns):
                best = f"{max(returns):.3f}%" if returns else "unknown"
                return f"no trade: best expected net return {best} <= margin {margin:.3f}%"
        best_prediction = max(predictions, key=signal_score)
        return (f"no trade: best candidate {best_prediction.symbol}: "
                f"{why_not(best_prediction, self._thresholds, held) or 'no price'}")


def _priced_for_symbol(p: Prediction, shift_pct: float) -> Prediction:
    if shift_pct == 0.0 or not math.isfinite(p.expected_net_return_pct):
        return p
    return replace(p, expected_net_return_pct=p.expected_net_return_pct + shift_pct)
