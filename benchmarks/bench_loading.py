"""Cache read speed: one month of 1m klines for 15 pairs from the Parquet cache. Target <= 1 s.

The cache is built first (not timed) in a temporary folder from real bars: April 2021 of the first 15
pairs of the recorded 96-pair set (../shared/data/freqtrade_userdata).

    .venv/bin/python benchmarks/bench_loading.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from adapters.history.cache import KlineCache  # noqa: E402
from adapters.history.layout import Month  # noqa: E402
from adapters.history.schema import standardise  # noqa: E402

FILE = ROOT.parent / "shared/data/freqtrade_userdata/binance_spot_1m_2021-04-02_2021-05-31_96pairs.csv.xz"
PAIRS = 15


def build_cache(root: Path) -> list[str]:
    print("reading the recorded 96-pair file (first 1.3 M rows) ...", flush=True)
    raw = pd.read_csv(FILE, nrows=1_300_000)
    cache = KlineCache(root)
    symbols = sorted(raw["symbol"].unique())[:PAIRS]
    for symbol in symbols:
        frame = standardise(raw[raw["symbol"] == symbol].reset_index(drop=True), symbol)
        cache.write_month(symbol, "1m", Month(2021, 4), frame, complete=True)
    return symbols


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        symbols = build_cache(Path(tmp))
        cache = KlineCache(Path(tmp))
        runs = []
        for _ in range(5):
            start = time.perf_counter()
            frames = {s: cache.read(s, "1m", date(2021, 4, 1), date(2021, 4, 30)) for s in symbols}
            runs.append(time.perf_counter() - start)
        rows = sum(len(f) for f in frames.values())
        print(f"cache read: {len(frames)} pairs x 1 month ({rows:,} bars): best {min(runs) * 1e3:.0f} ms, "
              f"first {runs[0] * 1e3:.0f} ms (target <= 1 s)")


if __name__ == "__main__":
    main()
