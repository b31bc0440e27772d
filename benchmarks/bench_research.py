"""Edge-lab benchmark: trials per hour with 1 worker (in process) and 2 workers (local Ray), on the same
study spec and data, each in a fresh study, the 2-worker one running the same trials (enqueued); the
ratio 2-worker / 1-worker; and the peak RSS of this driver and of its children (the Ray workers).

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
from typing import Any

import optuna
import yaml

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = (ROOT.parent / "shared/data/freqtrade_userdata"
                / "binance_spot_1m_2026-03-23_2026-04-22_5pairs.csv.xz")


optuna.logging.set_verbosity(optuna.logging.WARNING)


def _enqueued(db: Path, name: str, trials: list[dict[str, Any]]) -> None:
    """The study made beforehand with these trials waiting: the run draws them first, in this order."""
    db.parent.mkdir(parents=True)
    study = optuna.create_study(study_name=name, storage=f"sqlite:///{db}", direction="maximize")
    for params in trials:
        study.enqueue_trial(params)


def _drawn(db: Path, name: str) -> list[dict[str, Any]]:
    study = optuna.load_study(study_name=name, storage=f"sqlite:///{db}")
    return [t.params for t in sorted(study.get_trials(deepcopy=False), key=lambda t: t.number)]


def run(spec: Path, data: list[Path], trials: int, workers: int, same_as: list[dict[str, Any]] | None = None
        ) -> tuple[float, int, list[dict[str, Any]]]:
    name = str(yaml.safe_load(spec.read_text(encoding="utf-8"))["name"])
    with tempfile.TemporaryDirectory() as lab:
        db = Path(lab) / spec.stem / "study.sqlite3"
        if same_as:
            _enqueued(db, name, same_as)
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
        drawn = _drawn(db, name)
        with sqlite3.connect(db) as connection:
            first, last = connection.execute("select min(julianday(datetime_start)), "
                                     "max(julianday(datetime_complete)) from trials").fetchone()
        steady = (last - first) * 86_400  # first trial's start to last trial's end: no start-up, no loading
    print(f"{workers} worker(s): {ran} trials; {ran / steady * 3600:.0f} trials/hour between the first "
          f"trial's start and the last one's end ({steady:.0f} s); {ran / searched * 3600:.0f} trials/hour "
          f"counting start-up ({searched:.0f} s; {wall:.0f} s with loading and the report)")
    return ran / steady * 3600, ran, drawn


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--spec", type=Path, default=ROOT / "config/research/quick.yaml")
    parser.add_argument("--trials", type=int, default=12)
    parser.add_argument("--data", type=Path, action="append", default=None)
    args = parser.parse_args()
    data = args.data or [DEFAULT_DATA]
    one, _, drawn = run(args.spec, data, args.trials, 1)
    two, _, _ = run(args.spec, data, args.trials, 2, same_as=drawn)
    print(f"ratio 2 workers / 1 worker: {two / one:.2f}x on the same trials (the 2-worker study runs the "
          f"1-worker study's parameters, enqueued; the pruner may still stop a trial at another fold, as it "
          f"sees the trials finish in another order; 2 cores shared with the driver)")
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak RSS of the largest child process (a study run or a Ray worker): {children:.0f} MB")


if __name__ == "__main__":
    main()
