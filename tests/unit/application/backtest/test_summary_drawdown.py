"""max_drawdown_pct's comparisons give what the running max of the peak and of the fall gives."""

from __future__ import annotations

import math
import random

from application.backtest.summary import max_drawdown_pct


def plain_max_drawdown_pct(equity: list[tuple[int, float]]) -> float:
    peak, worst = -math.inf, 0.0
    for _, value in equity:
        peak = max(peak, value)
        if peak > 0:
            worst = max(worst, (peak - value) / peak)
    return worst * 100


def test_it_is_the_running_max_computation_on_odd_curves() -> None:
    rng = random.Random(5)
    odd = (0.0, -0.0, -1.0, math.nan, math.inf, -math.inf, 1000.0)
    for _ in range(2000):
        curve = [(i, rng.choice(odd) if rng.random() < 0.2 else rng.uniform(-50, 1500))
                 for i in range(rng.randrange(0, 40))]
        assert repr(max_drawdown_pct(curve)) == repr(plain_max_drawdown_pct(curve)), curve


def test_a_fall_and_a_recovery() -> None:
    curve = [(0, 1000.0), (1, 900.0), (2, 1200.0), (3, 1080.0)]
    assert max_drawdown_pct(curve) == (1000.0 - 900.0) / 1000.0 * 100
    assert max_drawdown_pct([]) == 0.0
