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

`--formats`: the other kinds, Binance archive zips and Parquet cache months, made once from the 4-pair
full-column file (BTC ETH SOL ARB, 2023-10..2024-04, 1.23 M bars: 28 monthly zips, 28 Parquet months):
zip-pandas / parquet-pandas are the readers before (read_zip_csv_pandas: the member unpacked, then
pandas; read_parquet_frame_pandas: the whole table, then pandas); zip-arrow / parquet-arrow read with
pyarrow, the window pushed into the read. The week (2024-01-01..07): the zips and months that hold it,
the old readers slicing after the read.

    .venv/bin/python benchmarks/bench_loading.py [--repeat N] [--formats]
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
FOUR_PAIRS = (ROOT.parent / "shared/data/binancedatagetter_vision"
              / "binance_spot_1m_2023-10-01_2024-04-30_BTC_ETH_SOL_ARB.csv.xz")
FORMAT_CASES = ("zip-pandas", "zip-arrow", "parquet-pandas", "parquet-arrow")
FORMAT_WEEK = ("2024-01-01", "2024-01-08")
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


def make_formats(folder: Path) -> None:
    """The 4-pair file as monthly archive zips (Binance's 12 fields, no header) and Parquet cache months."""
    import io
    import zipfile

    import pandas as pd

    sys.path.insert(0, str(ROOT / "src"))
    from adapters.history.cache import KlineCache
    from adapters.history.layout import Month
    from adapters.history.schema import standardise

    rows = pd.read_csv(FOUR_PAIRS)
    rows["month"] = pd.to_datetime(rows["open_time"], unit="ms", utc=True).dt.strftime("%Y-%m")
    cache = KlineCache(folder / "cache")
    for (symbol, month), part in rows.groupby(["symbol", "month"]):
        out = part.assign(close_time=part["open_time"] + 59_999, ignore=0)[
            ["open_time", "open", "high", "low", "close", "volume", "close_time", "quote_volume", "trades",
             "taker_buy_base_volume", "taker_buy_quote_volume", "ignore"]]
        name = f"{symbol}-1m-{month}"
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(f"{name}.csv", out.to_csv(header=False, index=False))
        (folder / "zips").mkdir(exist_ok=True)
        (folder / "zips" / f"{name}.zip").write_bytes(buffer.getvalue())
        frame = standardise(part.reset_index(drop=True), name)
        cache.write_month(str(symbol), "1m", Month.parse(str(month)), frame, complete=True)


def run_format_case(case: str, span: str, folder: Path) -> None:
    """In the child: read every zip or month (the week: those holding it), print one JSON line."""
    sys.path.insert(0, str(ROOT / "src"))
    from adapters.history.archive_files import read_zip_csv, read_zip_csv_pandas
    from adapters.history.arrow_files import cut_frame
    from adapters.history.cache import read_parquet_frame, read_parquet_frame_pandas
    from domain.time_units import day_start_ms

    window = (day_start_ms(FORMAT_WEEK[0]), day_start_ms(FORMAT_WEEK[1])) if span == "week" else (None, None)
    kind = "zips" if case.startswith("zip") else "cache"
    files = sorted((folder / kind).rglob("*.zip" if kind == "zips" else "*.parquet"))
    if span == "week":
        files = [f for f in files if "2024-01" in f.name]
    imports = peak_mb()
    began, cpu = time.perf_counter(), time.process_time()
    if case == "zip-pandas":
        frames = [cut_frame(read_zip_csv_pandas(f.read_bytes(), str(f)), window) for f in files]
    elif case == "zip-arrow":
        frames = [read_zip_csv(f, str(f), window) for f in files]
    elif case == "parquet-pandas":
        frames = [cut_frame(read_parquet_frame_pandas(f), window) for f in files]
    else:
        frames = [read_parquet_frame(f, window) for f in files]
    print(json.dumps({"cpu": time.process_time() - cpu, "wall": time.perf_counter() - began,
                      "imports": imports, "peak": peak_mb(), "bars": sum(len(f) for f in frames),
                      "pairs": len(files)}))


def formats_table(repeat: int) -> None:
    print(f"source: {FOUR_PAIRS.name} as monthly zips and Parquet months; {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as name:
        # made in a child: a child's ru_maxrss starts from its parent's RSS at the fork
        subprocess.run([sys.executable, __file__, "--make-formats", name], check=True)
        for run in range(repeat):
            print(f"\nrun {run + 1}: {'case':<16}{'span':>6}{'bars':>11}{'cpu s':>8}{'wall s':>8}"
                  f"{'x before':>10}{'imports MB':>12}{'peak MB':>9}{'load MB':>9}{'load avg':>10}")
            for span in ("all", "week"):
                reference: dict[str, float] = {}
                for case in FORMAT_CASES:
                    r = json.loads(subprocess.run(
                        [sys.executable, __file__, "--format-case", case, "--span", span, "--cache", name],
                        check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1])
                    kind = case.split("-")[0]
                    reference.setdefault(kind, r["cpu"])
                    print(f"{'':7}{case:<16}{span:>6}{int(r['bars']):>11,}{r['cpu']:>8.2f}{r['wall']:>8.2f}"
                          f"{r['cpu'] / reference[kind]:>10.2f}{r['imports']:>12.0f}{r['peak']:>9.0f}"
                          f"{r['peak'] - r['imports']:>9.0f}{os.getloadavg()[0]:>10.1f}", flush=True)


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
    parser.add_argument("--formats", action="store_true", help="archive zips and Parquet months instead")
    parser.add_argument("--format-case", choices=FORMAT_CASES)
    parser.add_argument("--make-formats", default="")
    args = parser.parse_args()
    if args.make_formats:
        make_formats(Path(args.make_formats))
        return
    if args.case:
        run_case(args.case, args.span, args.cache)
        return
    if args.format_case:
        run_format_case(args.format_case, args.span, Path(args.cache))
        return
    if args.formats:
        formats_table(args.repeat)
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
