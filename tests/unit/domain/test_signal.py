"""Signal rules of spec 4.5: thresholds, EV gate, one position per pair, ranking."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import pytest

from domain.signal import Prediction, SignalThresholds, generate_signals, signal_score, why_not

T = 1_700_000_000_000
THRESHOLDS = SignalThresholds(min_probability=0.65, min_confidence=0.55, min_predicted_move_percent=0.2,
                              stop_loss_pct=0.004, take_profit_pct=0.003, max_position_pct=0.2,
                              min_expected_net_return_percent=0.0)


def prediction(symbol: str = "ETHUSDT", p: float = 0.8, conf: float = 0.7, move: float = 0.4,
               ev: float = 0.05) -> Prediction:
    return Prediction(symbol, p, conf, move, T, ev)


def test_a_prediction_passing_every_rule_becomes_a_priced_signal() -> None:
    [signal] = generate_signals([prediction()], {"ETHUSDT": 2000.0}, THRESHOLDS, held=())
    assert signal.symbol == "ETHUSDT" and signal.entry_price == 2000.0
    assert signal.stop_loss_price == pytest.approx(2000.0 * 0.996)
    assert signal.take_profit_price == pytest.approx(2000.0 * 1.003)
    assert signal.stop_distance_pct == pytest.approx(0.004)
    assert signal.position_size_pct == 0.2 and signal.time_ms == T
    assert signal.score == pytest.approx(signal_score(signal.prediction))


@pytest.mark.parametrize(("changed", "rule"), [
    ({"p": 0.64}, "probability"), ({"conf": 0.5}, "confidence"), ({"move": 0.1}, "predicted move"),
    ({"ev": 0.0}, "expected net return"), ({"ev": -0.1}, "expected net return"),
])
def test_each_threshold_refuses_with_its_reason(changed: dict[str, Any], rule: str) -> None:
    reason = why_not(prediction(**changed), THRESHOLDS, frozenset())
    assert reason is not None and reason.startswith(rule)
    assert generate_signals([prediction(**changed)], {"ETHUSDT": 1.0}, THRESHOLDS, ()) == []


def test_thresholds_are_inclusive() -> None:
    assert why_not(prediction(p=0.65, conf=0.55, move=0.2), THRESHOLDS, frozenset()) is None


@pytest.mark.parametrize("field", ["p", "conf", "move", "ev"])
def test_a_nan_from_the_model_never_passes(field: str) -> None:
    nan_field: dict[str, Any] = {field: math.nan}
    assert why_not(prediction(**nan_field), THRESHOLDS, frozenset()) is not None


def test_ev_gate_off_ignores_an_unknown_expected_return() -> None:
    off = replace(THRESHOLDS, min_expected_net_return_percent=None)
    assert why_not(prediction(ev=math.nan), off, frozenset()) is None


def test_a_held_pair_gets_no_signal() -> None:
    assert why_not(prediction(), THRESHOLDS, frozenset({"ETHUSDT"})) == "position already open on this pair"
    assert generate_signals([prediction()], {"ETHUSDT": 1.0}, THRESHOLDS, held=["ETHUSDT"]) == []


@pytest.mark.parametrize("price", [None, 0.0, -1.0, math.nan])
def test_no_valid_price_no_signal(price: float | None) -> None:
    prices = {} if price is None else {"ETHUSDT": price}
    assert generate_signals([prediction()], prices, THRESHOLDS, ()) == []


def test_signals_are_best_score_first_and_one_per_pair() -> None:
    predictions = [prediction("AUSDT", p=0.70), prediction("BUSDT", p=0.90), prediction("AUSDT", p=0.95),
                   prediction("CUSDT", p=0.80, conf=0.56)]
    signals = generate_signals(predictions, {"AUSDT": 1.0, "BUSDT": 2.0, "CUSDT": 3.0}, THRESHOLDS, ())
    assert [s.symbol for s in signals] == ["AUSDT", "BUSDT", "CUSDT"]
    assert signals[0].prediction.probability_up == 0.95
    assert [s.score for s in signals] == sorted((s.score for s in signals), reverse=True)


def test_confidence_weighs_the_score() -> None:
    assert signal_score(prediction(p=0.8, conf=1.0)) > signal_score(prediction(p=0.8, conf=0.6))
