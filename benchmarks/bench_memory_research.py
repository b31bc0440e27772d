"""Peak memory of the edge preset, `report edge` and training the committed recipe, each in its own child.

    .venv/bin/python benchmarks/bench_memory_research.py [--runs 3] [--only preset|report|train]

- preset: `python -m bootstrap research --spec config/research/edge-preset.yaml` over the shared data's
  1m files (what `report edge` read), into a temporary lab folder. Target (issue 16 item 7): <= 1.5 GB.
- report: `python -m bootstrap report edge` (its default periods of ../shared/data, the 2021 reproduction
  and the committed model's own figures), into a temporary folder. Same target.
- train: benchmarks/bench_training.py (the committed model's recipe, the same code as
  `python -m bootstrap train`). Target: <= 2 GB.
Peak RSS is the child's own (wait4's ru_maxrss), printed with the wall time and the machine's load.
Both runs take long on a busy machine (training ~6 min alone, the preset 11-20 min; far more when the
two cores are shared).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
TARGET_MB = {"preset": 1536, "report": 1536, "train": 2048}


def preset_command(lab: Path) -> list[str]:
    files = [*sorted((DATA / "binancedatagetter_vision").glob("binance_spot_1m_*.csv.xz")),
             *sorted((DATA / "freqtrade_userdata").glob("binance_spot_1m_*.csv.xz"))]
    return [sys.executable, "-m", "bootstrap", "research", "--spec", "config/research/edge-preset.yaml",
            "--lab-dir", str(lab), "--no-progress", *[a for f in files for a in ("--data", str(f))]]


def measure(case: str, keep: Path | None = None) -> tuple[float, float, int]:
    """(peak MB, wall s, exit code) of one child; the preset's report is kept in `keep` when given."""
    with tempfile.TemporaryDirectory() as lab:
        commands = {"preset": lambda: preset_command(keep or Path(lab)),
                    "report": lambda: [sys.executable, "-m", "bootstrap", "report", "edge", "--data-root",
                                       str(DATA), "--out", str((keep or Path(lab)) / "report-edge")],
                    "train": lambda: [sys.executable, str(ROOT / "benchmarks" / "bench_training.py")]}
        command = commands[case]()
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
        began = time.perf_counter()
        child = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        return usage.ru_maxrss / 1024, time.perf_counter() - began, child.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", choices=tuple(TARGET_MB), default=None)
    parser.add_argument("--keep", type=Path, default=None,
                        help="folder keeping the preset's (and report's) edge.json")
    args = parser.parse_args()
    cases = [args.only] if args.only else list(TARGET_MB)
    print(f"{'case':<8}{'run':>4}{'peak MB':>10}{'target MB':>11}{'peak/target':>12}{'wall s':>9}"
          f"{'load before/after':>19}  verdict")
    for case in cases:
        for run in range(1, args.runs + 1):
            load_before = os.getloadavg()[0]
            peak, wall, code = measure(case, args.keep)
            verdict = "FAILED" if code else ("met" if peak <= TARGET_MB[case] else "MISSED")
            print(f"{case:<8}{run:>4}{peak:>10.0f}{TARGET_MB[case]:>11}{peak / TARGET_MB[case]:>12.2f}"
                  f"{wall:>9.0f}{load_before:>11.1f} / {os.getloadavg()[0]:<5.1f}  {verdict}", flush=True)


if __name__ == "__main__":
    main()
