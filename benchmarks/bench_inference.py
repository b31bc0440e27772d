"""Inference latency of the committed model through the OnnxModel adapter (the Model port).

    .venv/bin/python benchmarks/bench_inference.py [--model models/onnx/latest] [--calls 20000]

Feature rows are computed from real klines (../shared/data, BTC/ETH 2025) with domain.features. Prints
p50/p99 per call and per row for one row and for a batch of 10, the raw ONNX Runtime call for
comparison, and the load time. Target: <= 50 us for one row including the adapter's overhead.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from adapters.history.loader import load_history  # noqa: E402
from adapters.history.schema import to_kline_arrays  # noqa: E402
from adapters.onnx.model import OnnxModel  # noqa: E402
from domain.features import compute_features  # noqa: E402

DATA = (ROOT.parent / "shared" / "data" / "freqtrade_userdata"
        / "binance_spot_1m_2025-06-01_2025-07-01_BTC_ETH.csv.xz")


def feature_rows(count: int) -> np.ndarray:
    history = load_history(DATA, symbols=["BTCUSDT"], nrows=count + 1500)["BTCUSDT"]
    features = compute_features(to_kline_arrays(history.frame))
    ready = features[~np.isnan(features[:, 0])]
    return ready[:count]


def timed(fn: Callable[[], object], calls: int) -> np.ndarray:
    for _ in range(min(2000, calls)):
        fn()
    out = np.empty(calls)
    for i in range(calls):
        start = time.perf_counter_ns()
        fn()
        out[i] = time.perf_counter_ns() - start
    return out / 1000.0  # microseconds


def show(name: str, us: np.ndarray, rows: int) -> None:
    p50, p99 = np.percentile(us, [50, 99])
    print(f"{name:<34} per call p50 {p50:8.1f} us  p99 {p99:8.1f} us   per row p50 {p50 / rows:6.1f} us"
          f"  p99 {p99 / rows:6.1f} us")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "onnx" / "latest")
    parser.add_argument("--calls", type=int, default=20_000)
    args = parser.parse_args()
    start = time.perf_counter()
    model = OnnxModel.load(args.model)
    print(f"model {model.path.name}: load + checks {1000 * (time.perf_counter() - start):.1f} ms")
    rows = feature_rows(500)
    one, ten = rows[:1].copy(), rows[:10].copy()
    symbols_one, symbols_ten = ["BTCUSDT"], [f"P{i}USDT" for i in range(10)]
    show("predict, 1 row", timed(lambda: model.predict(symbols_one, one, 0), args.calls), 1)
    show("predict, batch of 10", timed(lambda: model.predict(symbols_ten, ten, 0), args.calls), 10)
    one32, ten32 = one.astype(np.float32), ten.astype(np.float32)
    show("raw onnxruntime run, 1 row", timed(lambda: model.raw_outputs(one32), args.calls), 1)
    show("raw onnxruntime run, 10 rows", timed(lambda: model.raw_outputs(ten32), args.calls), 10)
    nan_row = one.copy()
    nan_row[:, :] = np.nan
    show("predict, 1 all-NaN row", timed(lambda: model.predict(symbols_one, nan_row, 0), args.calls), 1)


if __name__ == "__main__":
    main()
