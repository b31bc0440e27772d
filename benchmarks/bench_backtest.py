"""Backtest benchmark: full-pipeline throughput (bars per second) and the memory peak, on every 1m kline
file of ../shared/data, extrapolated to the target of one month of 150 pairs (6.5 M bars) in < 60 s.

Per file: load (timed apart: xz + CSV parsing is I/O, not the pipeline), then the pipeline timed in two
parts: precompute (market grid, scanner scores of every bar, features and model scores of the scanner's
top candidates) and the event-driven replay (the real TradingLoop, SimulatedExchange, risk book and
journal at every minute where it can act). Baselines are off (they are extra runs of the replay).

The model: the committed ONNX model (models/onnx, or --model) when there is one, else a stand-in that
scores the feature rows with numpy (a logistic of the 5-bar return), said so in the output. The replay's
cost depends on how often the model trades: the stand-in is tuned to trade a few times a day per pair.

Usage: .venv/bin/python benchmarks/bench_backtest.py [--files PATTERN ...] [--model PATH]
"""

from __future__ import annotations

import argparse
import gc
import resource
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from loguru import logger  # noqa: E402

from adapters.history.klines import load_klines  # noqa: E402
from application.backtest.market_grid import BacktestMarket  # noqa: E402
from application.backtest.precompute import model_plan  # noqa: E402
from bootstrap.backtest_wiring import run_plan_sync  # noqa: E402
from bootstrap.mapping import scanner_rules_from, signal_thresholds_from  # noqa: E402
from bootstrap.settings import load_settings  # noqa: E402
from domain.features import FEATURE_NAMES  # noqa: E402
from domain.signal import Prediction  # noqa: E402
from ports.errors import ConfigurationError  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"
TARGET_BARS, TARGET_SECONDS = 6_480_000, 60.0  # 30 days x 1440 min x 150 pairs
RETURN_5 = FEATURE_NAMES.index("return_5")


class StandInModel:
    """A numpy logistic of the 5-bar return: p > 0.65 on roughly one candidate in a few hundred."""

    feature_names = FEATURE_NAMES
    version = "stand-in (no committed model)"

    def score(self, rows: npt.NDArray[np.float64]) -> tuple[npt.NDArray[np.float64], ...]:
        r = rows[:, RETURN_5]
        p = 1 / (1 + np.exp(-(r - 0.5) * 3))
        n = len(rows)
        return p, np.abs(p - 0.5) * 2, np.full(n, 0.4), np.full(n, 0.05)

    def predict(self, symbols: Sequence[str], rows: npt.NDArray[np.float64],
                time_ms: int) -> list[Prediction]:
        p, c, m, e = self.score(rows)
        return [Prediction(s, float(a), float(b), float(d), time_ms, float(f))
                for s, a, b, d, f in zip(symbols, p, c, m, e, strict=True)]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load_model(path: Path | None) -> object:
    try:
        from adapters.onnx.model import OnnxModel

        return OnnxModel.load(path or ROOT / "models" / "onnx" / "latest")
    except ConfigurationError as exc:
        print(f"(no ONNX model: {exc}; using the numpy stand-in)")
        return StandInModel()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", nargs="*", default=["freqtrade_userdata/*_1m_*.csv.xz",
                                                       "binancedatagetter_vision/*_1m_*.csv.xz"])
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--capital", type=float, default=1000.0,
                        help="initial capital (default 1000: with 30 USDT the 5 USDT minimum notional "
                             "strands positions that the loop retries every minute: that measures the bug, "
                             "not the speed)")
    args = parser.parse_args()
    logger.remove()
    logger.add(sys.stderr, level="CRITICAL")
    model = load_model(args.model)
    settings = load_settings(None, overrides={"logging": {"file_enabled": False},
                                              "risk": {"initial_capital": args.capital,
                                                       # a losing stand-in would trip them and end
                                                       # the replay early, measuring less
                                                       "max_drawdown_pct": 0.99, "max_daily_loss_pct": 0.99}})
    thresholds, rules = signal_thresholds_from(settings), scanner_rules_from(settings)
    files = sorted({p for pattern in args.files for p in SHARED.glob(pattern)})
    print(f"model: {getattr(model, 'version', '?')}; capital {args.capital} USDT; files: {len(files)}")
    print(f"{'file':<62}{'pairs':>6}{'bars':>11}{'load s':>8}{'pre s':>8}{'replay s':>9}"
          f"{'acted':>8}{'trades':>7}{'bars/s':>11}{'RSS MB':>8}")
    totals = {"bars": 0, "pre": 0.0, "replay": 0.0}
    for path in files:
        began = time.perf_counter()
        klines = load_klines(path, None, None, None)
        loaded = time.perf_counter()
        market = BacktestMarket.build(klines)
        plan = model_plan(market, model, rules, thresholds, settings.scanner.top_candidates)  # type: ignore[arg-type]
        planned = time.perf_counter()
        with tempfile.TemporaryDirectory() as folder:
            outcome = run_plan_sync(settings, market, plan, Path(folder), 0)
        replayed = time.perf_counter()
        bars = market.bar_count
        pipeline = replayed - loaded
        totals["bars"] += bars
        totals["pre"] += planned - loaded
        totals["replay"] += replayed - planned
        print(f"{path.name:<62}{len(market.symbols):>6}{bars:>11,}{loaded - began:>8.1f}"
              f"{planned - loaded:>8.1f}{replayed - planned:>9.1f}{outcome.run.acted_minutes:>8}"
              f"{len(outcome.run.trades):>7}{bars / pipeline:>11,.0f}{peak_rss_mb():>8.0f}", flush=True)
        del klines, market, plan, outcome
        gc.collect()
    seconds = totals["pre"] + totals["replay"]
    rate = totals["bars"] / seconds if seconds else float("nan")
    print(f"\nall files: {totals['bars']:,} bars in {seconds:.1f} s (precompute {totals['pre']:.1f} s, "
          f"replay {totals['replay']:.1f} s): {rate:,.0f} bars/s; peak RSS {peak_rss_mb():.0f} MB")
    print(f"extrapolated to {TARGET_BARS:,} bars (1 month x 150 pairs): {TARGET_BARS / rate:.1f} s "
          f"(target < {TARGET_SECONDS:.0f} s)")


if __name__ == "__main__":
    main()
