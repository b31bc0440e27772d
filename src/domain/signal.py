"""Predictions, trade signals and the signal rules of spec 4.5."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from domain.fast_init import fast_frozen_init


@fast_frozen_init
@dataclass(frozen=True, slots=True)
class Prediction:
    symbol: str
    probability_up: float  # calibrated, 0..1
    confidence: float  # 0..1 (spec 5.5)
    predicted_move_pct: float  # expected favourable move, in percent (0.3 = +0.3%)
    time_ms: int
    expected_net_return_pct: float = math.nan  # after fees/spread/slippage, percent; NaN when unknown


@dataclass(frozen=True, slots=True)
class SignalThresholds:
    min_probability: float
    min_confidence: float
    min_predicted_move_percent: float  # percent (0.2 = 0.2%)
    stop_loss_pct: float  # fraction
    take_profit_pct: float  # fraction
    max_position_pct: float  # suggested size, fraction of capital
    min_expected_net_return_percent: float | None = None  # EV gate (percent); None = off


@fast_frozen_init
@dataclass(frozen=True, slots=True)
class TradeSignal:
    symbol: str
    score: float
    entry_price: float
    stop_loss_price: float
    take_profit_price: float
    position_size_pct: float
    time_ms: int
    reasoning: str
    prediction: Prediction

    @property
    def stop_distance_pct(self) -> float:
        return (self.entry_price - self.stop_loss_price) / self.entry_price


def signal_score(p: Prediction) -> float:
    """Composite rank: probability weighted by confidence."""
    return p.probability_up * (0.5 + 0.5 * p.confidence)


def why_not(p: Prediction, t: SignalThresholds, held: frozenset[str]) -> str | None:
    """The first rule a prediction fails, or None when it passes them all."""
    if p.symbol in held:
        return "position already open on this pair"
    # Written as `not value >= threshold` so that a NaN from the model fails the rule instead of passing it.
    if t.min_expected_net_return_percent is not None and not (
            p.expected_net_return_pct > t.min_expected_net_return_percent):
        return (f"expected net return {p.expected_net_return_pct:.3f}% <= margin "
                f"{t.min_expected_net_return_percent:.3f}%")
    if not p.probability_up >= t.min_probability:
        return f"probability {p.probability_up:.3f} < {t.min_probability}"
    if not p.confidence >= t.min_confidence:
        return f"confidence {p.confidence:.3f} < {t.min_confidence}"
    if not p.predicted_move_pct >= t.min_predicted_move_percent:
        return f"predicted move {p.predicted_move_pct:.3f}% < {t.min_predicted_move_percent}%"
    return None


def generate_signals(predictions: Iterable[Prediction], prices: Mapping[str, float],
                     thresholds: SignalThresholds, held: Iterable[str]) -> list[TradeSignal]:
    """Signals for the predictions that pass every rule, best score first, at most one per pair (its best).
    Pairs without a price are skipped (no price, no trade)."""
    held_set = frozenset(held)
    best: dict[str, TradeSignal] = {}
    for p in predictions:
        price = prices.get(p.symbol)
        if price is None or not price > 0 or why_not(p, thresholds, held_set) is not None:
            continue
        score = signal_score(p)
        if p.symbol in best and best[p.symbol].score >= score:
            continue
        best[p.symbol] = TradeSignal(
            symbol=p.symbol, score=score, entry_price=price,
            stop_loss_price=price * (1 - thresholds.stop_loss_pct),
            take_profit_price=price * (1 + thresholds.take_profit_pct),
            position_size_pct=thresholds.max_position_pct, time_ms=p.time_ms,
            reasoning=(f"p_up={p.probability_up:.3f} conf={p.confidence:.3f} "
                       f"move={p.predicted_move_pct:.3f}% ev={p.expected_net_return_pct:.3f}%"),
            prediction=p,
        )
    if len(best) < 2:  # the usual scan: one candidate passes, or none (nothing to order)
        return list(best.values())
    return sorted(best.values(), key=lambda s: s.score, reverse=True)
