"""Edge-lab benchmark: trials per hour with 1 worker (in process) and 2 workers (local Ray), on the same
study spec and data, each in a fresh study; the ratio 2-worker / 1-worker; and the peak RSS of this
driver and of its children (the Ray workers).

Usage: .venv/bin/python benchmarks/bench_research.py [--spec config/research/quick.yaml] [--trials 12]
       [--data FILE ...]   (default: the 2026 5-pair 1m file of ../shared/data)
"""

from __future__ import annotations

import argparse
import json
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = (ROOT.parent / "shared/data/freqtrade_userdata"
                / "binance_spot_1m_2026-03-23_2026-04-22_5pairs.csv.xz")


def run(spec: Path, data: list[Path], trials: int, workers: int) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as lab:
        command = [sys.executable, "-m", "bootstrap", "research", "--spec", str(spec), "--lab-dir", lab,
                   "--trials", str(trials), "--workers", str(workers), "--no-progress",
                   *[a for d in data for a in ("--data", str(d))]]
        began = time.perf_counter()
        subprocess.run(command, cwd=ROOT, env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"},
                       check=True, capture_output=True)
        wall = time.perf_counter() - began
        payload = json.loads((Path(lab) / spec.stem / "research.json").read_text(encoding="utf-8"))
        searched = float(payload["seconds"])
        ran = int(payload["trials_this_run"])
        with sqlite3.connect(Path(lab) / spec.stem / "study.sqlite3") as db:
            first, last = db.execute("select min(julianday(datetime_start)), "
                                     "max(julianday(datetime_complete)) from trials").fetchone()
        steady = (last - first) * 86_400  # first trial's start to last trial's end: no start-up, no loading
    print(f"{workers} worker(s): {ran} trials; {ran / steady * 3600:.0f} trials/hour between the first "
          f"trial's start and the last one's end ({steady:.0f} s); {ran / searched * 3600:.0f} trials/hour "
          f"counting start-up ({searched:.0f} s; {wall:.0f} s with loading and the report)")
    return ran / steady * 3600, ran


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--spec", type=Path, default=ROOT / "config/research/quick.yaml")
    parser.add_argument("--trials", type=int, default=12)
    parser.add_argument("--data", type=Path, action="append", default=None)
    args = parser.parse_args()
    data = args.data or [DEFAULT_DATA]
    one, _ = run(args.spec, data, args.trials, 1)
    two, _ = run(args.spec, data, args.trials, 2)
    print(f"ratio 2 workers / 1 worker: {two / one:.2f}x (not a pure speed-up: the two studies draw "
          f"different trials, as parallel TPE and the pruner see other histories; 2 cores shared)")
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak RSS of the largest child process (a study run or a Ray worker): {children:.0f} MB")


if __name__ == "__main__":
    main()
