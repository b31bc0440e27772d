"""How much this machine slows a short burst of work down after an idle pause: its cold-cache factor.

A trading bot idles between market frames. On a quiet desktop a frame's code and data mostly stay in the
CPU caches over 100 ms; on a shared virtual machine other tenants evict them, and the same work runs
several times slower. The probe is independent of the bot: one fixed sequence of 30 different small
numpy operations (the kind of work a ticker frame does), timed back-to-back and again right after a
100 ms sleep. A factor near 1 means paced and back-to-back latencies agree on this machine; a factor of
5-10 means paced figures here measure the machine as much as the code.

    .venv/bin/python benchmarks/cold_probe.py
"""

from __future__ import annotations

import gc
import time

import numpy as np

_A = np.random.default_rng(1).random(200)
_B = np.random.default_rng(2).random(200)
_ROWS = np.arange(0, 200, 2)


def _work() -> None:
    a, b = _A, _B
    a + b, a - b, a * b, a / b, a > b, a >= b, np.maximum(a, b), np.minimum(a, b), np.fmax(a, b), a[_ROWS]
    np.flatnonzero(a > 0.5), (a > b).any(), np.where(a > b, a, b), a.max(), a.min(), np.array((a, b))
    np.empty(200), a.tolist(), np.divide(a, b, out=np.zeros(200), where=b > 0.1), np.isfinite(a).all()
    a + b, a - b, a * b, a / b, a > b, a >= b, np.maximum(a, b), np.minimum(a, b), np.fmax(a, b), a[_ROWS]


def cold_cache_factor(rounds: int = 40, pause_s: float = 0.1) -> tuple[float, float]:
    """(median microseconds back-to-back, median microseconds right after a `pause_s` sleep)."""
    warm, cold = [], []
    gc.disable()
    try:
        for _ in range(rounds):
            _work()
            t0 = time.perf_counter_ns()
            _work()
            warm.append(time.perf_counter_ns() - t0)
            time.sleep(pause_s)
            t0 = time.perf_counter_ns()
            _work()
            cold.append(time.perf_counter_ns() - t0)
    finally:
        gc.enable()
    return float(np.median(warm)) / 1000, float(np.median(cold)) / 1000


def describe() -> str:
    warm, cold = cold_cache_factor()
    return (f"this machine's cold-cache factor: a fixed 30-call numpy sequence takes {warm:.0f} us "
            f"back-to-back and {cold:.0f} us after 100 ms idle (x{cold / warm:.1f})")


if __name__ == "__main__":
    print(describe())
