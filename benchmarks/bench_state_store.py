"""State store benchmark: what writing an order intent durably costs before each order (issue 14).

Times, on the disk of --dir (default: a temporary folder), one intent write and its outcome (two SQLite
transactions, WAL, synchronous=FULL) against the reference measured in the same run: one line appended
to a file and fsynced (what the trade journal pays per trade). Prints the median and p99 of each, their
ratio, and the peak RSS. A live order's round trip to Binance is ~10-100 ms: the store must stay a small
fraction of it.

Usage: .venv/bin/python benchmarks/bench_state_store.py [--writes 500] [--dir PATH]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from adapters.storage.state_store import SqliteStateStore  # noqa: E402
from domain.trading_state import IntentState, OrderIntent, OrderPurpose  # noqa: E402
from domain.values import Side  # noqa: E402


def quantiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=500)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as folder:
        store = SqliteStateStore(Path(folder) / "bench.sqlite")
        intents: list[float] = []
        for k in range(args.writes):
            client_id = f"cse-BENCHUSDT-{k}"
            start = time.perf_counter()
            store.record_intent(OrderIntent(client_id, "BENCHUSDT", Side.BUY, OrderPurpose.ENTRY, None,
                                            Decimal(20), k))
            store.record_outcome(client_id, IntentState.FILLED, order_id=k, executed=Decimal(1),
                                 cumulative_quote=Decimal(20))
            intents.append(time.perf_counter() - start)
        appends: list[float] = []
        with (Path(folder) / "bench.jsonl").open("ab") as file:
            for k in range(args.writes):
                start = time.perf_counter()
                file.write(f'{{"k":{k},"symbol":"BENCHUSDT","pnl":0.01}}\n'.encode())
                file.flush()
                os.fsync(file.fileno())
                appends.append(time.perf_counter() - start)
    (store_median, store_p99), (ref_median, ref_p99) = quantiles(intents), quantiles(appends)
    print(f"intent + outcome (2 transactions): median {store_median * 1e3:.3f} ms, "
          f"p99 {store_p99 * 1e3:.3f} ms")
    print(f"reference append + fsync:          median {ref_median * 1e3:.3f} ms, p99 {ref_p99 * 1e3:.3f} ms")
    print(f"ratio (store / reference, median): {store_median / ref_median:.2f}x")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
