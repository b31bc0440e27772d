"""Loading the recorded 96-pair file (6.25 M 1m bars, .csv.xz) for a backtest: time and peak memory.

Each case runs in its own interpreter (peak RSS is per process), which imports only what its loading
needs and reports its RSS after the imports (the floor), then its peak after the load; "load MB" is the
loader's own increment. Cases, for the whole file and for a one-week slice (2021-05-01..07 plus the
warm-up, 1.22 M bars):
- pandas: the reader the backtest used until now (load_klines_pandas, kept as the reference);
- columnar: pyarrow's streaming CSV reader, symbol/window filter cut batch by batch (no cache);
- convert: the first backtest on a file: columnar read of all of it, written to the column cache;
- cached: every later backtest: the column copy (numpy .npy files), only the rows asked for; neither
  pyarrow nor pandas is imported.
Ratios are CPU time against the pandas case of the same run. Targets (issue 17), on the process peak
of the cached case: load <= 0.2x, peak RSS <= 400 MB for the whole file and <= 100 MB for the week.

    .venv/bin/python benchmarks/bench_loading.py [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FILE = ROOT.parent / "shared/data/freqtrade_userdata/binance_spot_1m_2021-04-02_2021-05-31_96pairs.csv.xz"
WEEK = ("2021-05-01", "2021-05-08")
CASES = ("pandas", "columnar", "convert", "cached")
TARGET_MB = {"all": 400, "week": 100}


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_case(case: str, span: str, cache: str) -> None:
    """In the child: import, load, print one JSON line."""
    sys.path.insert(0, str(ROOT / "src"))
    from adapters.history.klines import load_klines, load_klines_pandas
    from domain.time_units import day_start_ms

    if case == "pandas":
        import adapters.history.loader
    elif case in ("columnar", "convert"):
        import adapters.history.columnar  # noqa: F401  (pyarrow)

    start, end = (day_start_ms(WEEK[0]), day_start_ms(WEEK[1])) if span == "week" else (None, None)
    imports = peak_mb()
    began, cpu = time.perf_counter(), time.process_time()
    if case == "pandas":
        klines = load_klines_pandas(FILE, None, start, end)
    elif case == "columnar":
        klines = load_klines(FILE, None, start, end)
    else:
        klines = load_klines(FILE, None, start, end, cache_dir=Path(cache))
    print(json.dumps({"cpu": time.process_time() - cpu, "wall": time.perf_counter() - began,
                      "imports": imports, "peak": peak_mb(), "bars": sum(len(k) for k in klines.values()),
                      "pairs": len(klines)}))


def measure(case: str, span: str, cache: Path) -> dict[str, float]:
    env = dict(os.environ)
    if case == "convert":
        shutil.rmtree(cache / "columnar", ignore_errors=True)
    out = subprocess.run([sys.executable, __file__, "--case", case, "--span", span, "--cache", str(cache)],
                         env=env, check=True, capture_output=True, text=True).stdout
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", choices=CASES)
    parser.add_argument("--span", choices=("all", "week"), default="all")
    parser.add_argument("--cache", default="")
    parser.add_argument("--repeat", type=int, default=1, help="runs of the whole table")
    args = parser.parse_args()
    if args.case:
        run_case(args.case, args.span, args.cache)
        return
    print(f"file: {FILE.name}; {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as folder:
        cache = Path(folder)
        for run in range(args.repeat):
            print(f"\nrun {run + 1}: {'case':<10}{'span':>6}{'bars':>11}{'cpu s':>8}{'wall s':>8}"
                  f"{'x pandas':>10}{'imports MB':>12}{'peak MB':>9}{'load MB':>9}{'load avg':>10}")
            reference: dict[str, float] = {}
            for span in ("all", "week"):
                for case in CASES:
                    if case == "convert" and span == "week":
                        continue
                    r = measure(case, span, cache)
                    reference.setdefault(span, r["cpu"])
                    verdict = ""
                    if case == "cached":
                        met = r["peak"] <= TARGET_MB[span] and r["cpu"] / reference[span] <= 0.2
                        verdict = f"  target <= {TARGET_MB[span]} MB, <= 0.2x: {'met' if met else 'MISSED'}"
                    print(f"{'':7}{case:<10}{span:>6}{int(r['bars']):>11,}{r['cpu']:>8.2f}{r['wall']:>8.2f}"
                          f"{r['cpu'] / reference[span]:>10.2f}{r['imports']:>12.0f}{r['peak']:>9.0f}"
                          f"{r['peak'] - r['imports']:>9.0f}{os.getloadavg()[0]:>10.1f}{verdict}", flush=True)
    print("\nimports MB: the process after the imports its case needs (the floor); load MB: peak above it.")


if __name__ == "__main__":
    main()
