"""Edge-lab trials per hour on one worker, this tree against a base commit in the same run, on the same
trials; and proof that every trial's figures are the same in both.

    .venv/bin/python benchmarks/bench_research_trials.py [--spec config/research/scalp.yaml] [--trials 12]
        [--seed 1] [--base 38b0f2f] [--runs 3] [--data FILE ...]   (default: the two 2023-24 1m files)

Each side runs in its own process (the base's src/ from `git archive`): it loads the data, builds the
study's session (bootstrap.lab_wiring.session_of: LightGBM on one thread, the compiled research core),
draws `--trials` candidates from the spec's space with Optuna's RandomSampler(seed) (the same ones on
both sides), warms up (the bars of each universe, the core's compilation: one trial, untimed), then
times every candidate through LabSession.score, as a study worker does (no storage, no pruner). It
prints trials per hour of wall time and per CPU hour (steadier on a shared machine: LightGBM runs on
one thread), the ratios to the base, each side's peak RSS and the machine's load average.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import tarfile
import time
from io import BytesIO
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "binancedatagetter_vision"
DEFAULT_DATA = [DATA / f"binance_spot_1m_{span}_BTC_ETH_SOL_ARB.csv.xz"
                for span in ("2023-01-01_2023-09-30", "2023-10-01_2024-04-30")]


def child(src: Path, spec_path: Path, data: list[Path], trials: int, seed: int) -> dict[str, Any]:
    """Runs inside a side's process (its src/ first on sys.path)."""
    sys.path.insert(0, str(src))
    import optuna

    from adapters.research.optuna_study import suggest
    from application.research.trial_params import trial_params
    from bootstrap import lab_wiring
    from bootstrap.lab_spec import load_spec

    spec = load_spec(spec_path)
    began = time.perf_counter()
    lab_data = lab_wiring.load_data(spec, data)
    session = lab_wiring.session_of(spec, lab_data, lab_wiring.plans_of(spec, lab_data))
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=seed))
    drawn = [suggest(study.ask(), spec.space) for _ in range(trials)]
    for universe in sorted({str(v.get("universe", "all")) for v in drawn}):
        session.periods(trial_params({**drawn[0], "universe": universe}))
    session.score(drawn[0])  # the research core compiles (or loads its cache) here
    ready = time.perf_counter() - began
    figures, seconds, cpu = [], [], []
    for values in drawn:
        start, start_cpu = time.perf_counter(), time.process_time()
        score = session.score(values)
        seconds.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        figures.append([None if math.isnan(score.value) else score.value, score.count, list(score.daily_pnl)])
    return {"ready_s": ready, "seconds": seconds, "cpu": cpu, "figures": figures,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def base_tree(rev: str) -> Path:
    """The base commit's src/ (and config/, its defaults), extracted once (kept: the research core's
    numba cache lives beside it)."""
    folder = Path("/tmp") / f"bench_research_trials-{rev}"
    if not (folder / "config").is_dir():
        tar = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "src", "config"], check=True,
                             capture_output=True).stdout
        with tarfile.open(fileobj=BytesIO(tar)) as archive:
            archive.extractall(folder, filter="data")
    return folder / "src"


def side(src: Path, args: argparse.Namespace) -> dict[str, Any]:
    data = [a for d in args.data for a in ("--data", str(d))]
    command = [sys.executable, __file__, "--child", str(src), "--spec", str(args.spec), "--trials",
               str(args.trials), "--seed", str(args.seed), *data]
    load_before = os.getloadavg()[0]
    out = subprocess.run(command, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(src)}, check=True,
                         capture_output=True, text=True).stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    result["load"] = (load_before, os.getloadavg()[0])
    return result


def show(name: str, result: dict[str, Any]) -> tuple[float, float]:
    total, cpu = sum(result["seconds"]), sum(result["cpu"])
    per_hour, per_cpu_hour = len(result["seconds"]) / total * 3600, len(result["cpu"]) / cpu * 3600
    count = len(result["seconds"])
    print(f"  {name}: {per_hour:.0f} trials/h of wall time ({count} trials in {total:.1f} s; "
          f"slowest {max(result['seconds']):.1f} s), {per_cpu_hour:.0f} per CPU hour ({cpu:.1f} s); ready "
          f"after {result['ready_s']:.0f} s; peak RSS {result['peak_rss_mb']:.0f} MB; load "
          f"{result['load'][0]:.1f} -> {result['load'][1]:.1f}")
    return per_hour, per_cpu_hour


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--spec", type=Path, default=ROOT / "config/research/scalp.yaml")
    parser.add_argument("--trials", type=int, default=12)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--base", default="38b0f2f")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--data", type=Path, action="append", default=None)
    parser.add_argument("--child", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.data = args.data or DEFAULT_DATA
    if args.child is not None:
        print(json.dumps(child(args.child, args.spec, args.data, args.trials, args.seed)))
        return
    base = base_tree(args.base)
    for run in range(1, args.runs + 1):
        print(f"run {run}: {args.trials} trials of {args.spec.name} (RandomSampler seed {args.seed})")
        before = side(base, args)
        after = side(ROOT / "src", args)
        (wall, cpu), (base_wall, base_cpu) = show("this tree", after), show(f"base {args.base}", before)
        same = before["figures"] == after["figures"]
        print(f"  ratio this tree / base: {wall / base_wall:.2f}x wall, {cpu / base_cpu:.2f}x CPU; every "
              f"trial's figures identical (mean, trades, daily P&L): {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
