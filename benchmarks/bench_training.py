"""Training time on the shared data, phase by phase, with the recipe of the committed model.

    .venv/bin/python benchmarks/bench_training.py            # the committed model's recipe
    .venv/bin/python benchmarks/bench_training.py --quick    # the 4-pair full-column files only

Runs the same code as `python -m bootstrap train` (load klines -> features + labels -> split -> LightGBM
with early stopping -> calibration -> evaluation -> ONNX export + parity check -> card + report) into a
temporary folder and prints the wall time of each phase, the rows used and the peak memory (of the
whole run, and the highest resident size sampled during each phase: where the peak happens).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from adapters.onnx.card import Thresholds  # noqa: E402
from adapters.training.fit import TrainerConfig  # noqa: E402
from adapters.training.lightgbm_trainer import BoosterParams  # noqa: E402
from adapters.training.sources import fit_feature_rows, load_training_rows  # noqa: E402
from adapters.training.trainer import LightGbmTrainer  # noqa: E402
from application.research.train_model import TrainingPlan, train_model  # noqa: E402
from bootstrap.commands.train import _day_ms, label_spec  # noqa: E402
from bootstrap.settings import load_settings  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
FULL = [DATA / "binancedatagetter_vision" / f"binance_spot_1m_{span}_BTC_ETH_SOL_ARB.csv.xz"
        for span in ("2023-01-01_2023-09-30", "2023-10-01_2024-04-30")]
RECIPE_EXTRA = [DATA / "freqtrade_userdata" / f"binance_spot_1m_{name}.csv.xz" for name in (
    "2020-05-21_2020-06-20_18pairs", "2021-04-02_2021-05-31_96pairs", "2023-03-16_2023-05-01_13pairs",
    "2025-06-01_2025-07-01_BTC_ETH", "2026-03-23_2026-04-22_5pairs")]
# The committed model's recipe (models/onnx/README.md): outcome label, explicit split, every 26th minute.
VALIDATION_FROM, TEST_FROM, STRIDE = "2023-06-04", "2026-03-23", 26
QUICK_VALIDATION_FROM, QUICK_TEST_FROM = "2023-11-15", "2024-02-15"  # inside the 4-pair files' span
PARAMS = BoosterParams(n_estimators=250, learning_rate=0.08, seed=7)
PAGE_MB = os.sysconf("SC_PAGE_SIZE") / 2**20


class PhasePeak:
    """The highest resident size seen since the last `take()`, sampled every 20 ms by a thread."""

    def __init__(self) -> None:
        self._high = 0.0
        threading.Thread(target=self._sample, daemon=True).start()

    @staticmethod
    def resident_mb() -> float:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * PAGE_MB

    def _sample(self) -> None:
        while True:
            self._high = max(self._high, self.resident_mb())
            time.sleep(0.02)

    def take(self) -> float:
        high, self._high = max(self._high, self.resident_mb()), 0.0
        return high


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true",
                        help="only the two 4-pair full-column files, split inside their span")
    parser.add_argument("--all-features", action="store_true",
                        help="hold every row's features (as before), not only the rows the fit reads")
    parser.add_argument("--out", type=Path, default=None, help="keep the model here (default: a temp folder)")
    args = parser.parse_args()
    paths = FULL if args.quick else FULL + RECIPE_EXTRA
    started = time.perf_counter()
    last = [started]
    peaks = PhasePeak()

    def phase(message: str) -> None:  # a line starts a step: its time and peak are the last step's
        now = time.perf_counter()
        print(f"  +{now - last[0]:7.1f} s  (total {now - started:7.1f} s)  peak since the line above "
              f"{peaks.take():5.0f} MB  | {message}", flush=True)
        last[0] = now

    spec = label_spec("outcome", load_settings(env_file=None))  # the default exits and costs
    validation_from, test_from = ((QUICK_VALIDATION_FROM, QUICK_TEST_FROM) if args.quick
                                  else (VALIDATION_FROM, TEST_FROM))
    keep = None if args.all_features else fit_feature_rows(_day_ms(validation_from), STRIDE)
    rows = load_training_rows(paths, spec, progress=lambda _m: None, keep=keep)
    phase(f"loaded {len(rows):,} labelled rows from {len(paths)} files (features + labels)")
    with tempfile.TemporaryDirectory() as temp:
        out = args.out or Path(temp)
        config = TrainerConfig(out_dir=out, train_row_stride=STRIDE, params=PARAMS,
                               configured_thresholds=Thresholds(min_probability=0.65, min_confidence=0.55,
                                                                min_predicted_move_pct=0.2))
        plan = TrainingPlan(model_version="bench", horizon_bars=spec.gap_bars,
                            validation_from_ms=_day_ms(validation_from), test_from_ms=_day_ms(test_from))
        outcome = train_model(LightGbmTrainer(rows, config, phase), plan)
        size = outcome.model_path.stat().st_size
    phase(f"done: ONNX {size / 1024:.0f} kB")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"training time on the shared data: {time.perf_counter() - started:.1f} s wall, "
          f"peak RSS {peak_mb:.0f} MB vs the 2048 MB target (issue 16): "
          f"{'met' if peak_mb <= 2048 else 'MISSED'}; load average {os.getloadavg()[0]:.1f} "
          f"(fit on every {STRIDE}th minute of the training period)")


if __name__ == "__main__":
    main()
