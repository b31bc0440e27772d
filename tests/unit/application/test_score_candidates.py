"""Scoring candidates: only warmed-up histories reach the model, in one batch; no trade says why."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from tests.support.fakes import T0, FakeModel, good, history, poor
from tests.support.harness import THRESHOLDS

from application.market_memory import MarketMemory
from application.score_candidates import ScoreCandidates
from domain.features import FEATURE_NAMES, BookFeaturesInput, KlineArrays, latest_features
from domain.signal import Prediction

WARMUP = 60


def memory_with(*symbols: str, bars: int = WARMUP) -> MarketMemory:
    memory = MarketMemory(capacity=WARMUP)
    for symbol in symbols:
        memory.backfill(symbol, history(symbol, T0, bars))
    return memory


def test_only_ready_candidates_are_scored_in_one_batch() -> None:
    memory = memory_with("AUSDT", "BUSDT")
    memory.backfill("CUSDT", history("CUSDT", T0, 10))  # too short
    model = FakeModel(good)
    scored = ScoreCandidates(memory, model, THRESHOLDS, WARMUP)(["AUSDT", "CUSDT", "BUSDT", "DUSDT"], (), T0)
    assert model.batches == [(["AUSDT", "BUSDT"], (2, len(FEATURE_NAMES)))]
    assert scored.not_ready == ("CUSDT", "DUSDT")
    assert [s.symbol for s in scored.signals] == ["AUSDT", "BUSDT"] and scored.no_trade_reason is None


def test_the_rows_are_the_feature_engine_on_the_remembered_history() -> None:
    memory = memory_with("AUSDT")
    seen: list[np.ndarray] = []

    def spy(k: KlineArrays, book: BookFeaturesInput | None) -> np.ndarray:
        row = latest_features(k, book)
        seen.append(row)
        return row

    ScoreCandidates(memory, FakeModel(good), THRESHOLDS, WARMUP, spy)(["AUSDT"], (), T0)
    expected = latest_features(KlineArrays.from_candles(history("AUSDT", T0, WARMUP)))
    np.testing.assert_array_equal(seen[0], expected)


def test_no_trade_reasons() -> None:
    memory = memory_with("AUSDT", "BUSDT")
    score = ScoreCandidates(memory, FakeModel(poor), THRESHOLDS, WARMUP)
    assert score([], (), T0).no_trade_reason == "no trade: the scanner has no candidate"
    assert "no candidate ready yet (1" in (score(["ZUSDT"], (), T0).no_trade_reason or "")
    reason = score(["AUSDT", "BUSDT"], (), T0).no_trade_reason
    assert reason == "no trade: best expected net return -0.050% <= margin 0.000%"

    def unsure(symbol: str, time_ms: int) -> Prediction:
        return replace(good(symbol, time_ms), probability_up=0.6 if symbol == "AUSDT" else 0.5)

    scored = ScoreCandidates(memory, FakeModel(unsure), THRESHOLDS, WARMUP)(["AUSDT", "BUSDT"], (), T0)
    assert scored.no_trade_reason == "no trade: best candidate AUSDT: probability 0.600 < 0.65"


def test_one_broken_history_does_not_cost_the_scan() -> None:
    memory = memory_with("AUSDT", "BUSDT")

    calls: list[int] = []

    def first_fails(k: KlineArrays, book: BookFeaturesInput | None) -> np.ndarray:
        calls.append(1)
        if len(calls) == 1:  # AUSDT, scored first
            raise ValueError("window has a NaN close")
        return latest_features(k, book)

    score = ScoreCandidates(memory, FakeModel(good), THRESHOLDS, WARMUP, first_fails)
    scored = score(["AUSDT", "BUSDT"], (), T0)
    assert [s.symbol for s in scored.signals] == ["BUSDT"] and scored.not_ready == ("AUSDT",)
