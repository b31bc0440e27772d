"""The candle ring keeps the newest `capacity` closed candles whatever mix of appends and merged histories
fed it: held histories and pending appends (written into the columns only when read) give the same
content, length, contiguity and last close as a plain model of the rules."""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest

from application.candle_ring import CandleRing
from domain.candle_columns import CandleColumns
from domain.features import KlineArrays
from domain.values import Candle

MINUTE = 60_000


def candle(minute: int, close: float) -> Candle:
    return Candle("AAAUSDT", minute * MINUTE, close, close + 1, close - 0.5, close, 10.0 + minute,
                  quote_volume=5.0, trades=minute % 7, taker_buy_base_volume=2.0)


def history(minutes: list[int], closes: list[float]) -> CandleColumns:
    n = len(minutes)
    c = np.array(closes)
    return CandleColumns("AAAUSDT", KlineArrays(np.array(minutes, dtype=np.int64) * MINUTE, c, c + 1, c - 0.5,
                                                c, 10.0 + np.array(minutes, dtype=np.float64),
                                                np.full(n, 2.0), np.full(n, 5.0),
                                                np.array([m % 7 for m in minutes], dtype=np.float64)))


class Model:
    """The rules, plainly: minute -> close; appends after the newest only, merges winning ties."""

    def __init__(self, capacity: int) -> None:
        self.capacity, self.rows = capacity, dict[int, float]()

    def append(self, minute: int, close: float) -> bool:
        newest = max(self.rows) if self.rows else None
        if newest is not None and minute < newest:
            return True
        self.rows[minute] = close
        self._trim()
        return newest is None or minute in (newest, newest + 1)

    def merge(self, minutes: list[int], closes: list[float]) -> None:
        self.rows.update(zip(minutes, closes, strict=True))
        self._trim()

    def _trim(self) -> None:
        for minute in sorted(self.rows)[:-self.capacity]:
            del self.rows[minute]

    def contiguous(self) -> bool:
        kept = sorted(self.rows)
        return all(b - a == 1 for a, b in itertools.pairwise(kept))


@pytest.mark.parametrize("seed", range(12))
def test_any_mix_of_appends_and_histories_holds_what_the_rules_say(seed: int) -> None:
    rng = random.Random(seed)
    capacity = rng.choice([1, 2, 3, 5])
    ring, model, newest = CandleRing(capacity), Model(capacity), 100
    for step in range(60):
        kind = rng.random()
        close = float(step + 1)
        if kind < 0.6:
            minute = newest + rng.choice([-1, 0, 1, 1, 1, 2])
            assert ring.append(candle(minute, close)) == model.append(minute, close)
            newest = max(newest, minute)
        else:
            end = newest + rng.choice([0, 0, 1, 3])
            minutes = sorted({*rng.sample(range(end - 6, end + 1), rng.randint(1, 5)), end})
            closes = [close + i / 10 for i in range(len(minutes))]
            if kind < 0.9:
                ring.merge(history(minutes, closes))
            else:
                ring.merge([candle(m, c) for m, c in zip(minutes, closes, strict=True)])
            model.merge(minutes, closes)
            newest = max(newest, end)
        assert len(ring) == len(model.rows)
        if rng.random() < 0.3:  # read now and then: reads write the pending candles in
            arrays = ring.arrays()
            assert (arrays.open_time_ms // MINUTE).tolist() == sorted(model.rows)
            assert arrays.close.tolist() == [model.rows[m] for m in sorted(model.rows)]
            assert arrays.trades.tolist() == [float(m % 7) for m in sorted(model.rows)]
        assert ring.last_close() == model.rows[max(model.rows)]
        if rng.random() < 0.3:  # a read of the contiguity writes the pending candles in too
            assert ring.is_contiguous() == model.contiguous()
