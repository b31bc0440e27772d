"""Backtest benchmark: full-pipeline throughput (bars per second) and the memory peak, on every 1m kline
file of ../shared/data, extrapolated to the target of one month of 150 pairs (6.5 M bars) in < 60 s.

Per file: load (timed apart: xz + CSV parsing is I/O, not the pipeline), then the pipeline timed in two
parts: precompute (market grid, scanner scores of every bar, features and model scores of the scanner's
top candidates) and the event-driven replay (the real TradingLoop, SimulatedExchange, risk book and
journal at every minute where it can act). Baselines are off (they are extra runs of the replay).

The model: the committed ONNX model (models/onnx, or --model) when there is one, else a stand-in that
scores the feature rows with numpy (a logistic of the 5-bar return), said so in the output. The replay's
cost depends on how often the model trades: the stand-in is tuned to trade a few times a day per pair.

First (issue 17's replay target), the scanner-rule baseline on one week of the 96-pair file through the
real loop, against a plain numpy loop of the same decisions (replay_reference.py) in the same process:
loop bars/s / reference bars/s, for this tree and for the tree at --base (today's code before the
replay work, extracted with git archive), each in its own interpreter. Target: the ratio >= 5x today's.

Usage: .venv/bin/python benchmarks/bench_backtest.py [--files PATTERN ...] [--model PATH] [--base COMMIT]
       [--repeat N] [--skip-pipeline]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parents[1]
SRC = Path(sys.argv[sys.argv.index("--src") + 1]) if "--src" in sys.argv else ROOT / "src"  # a child's tree
sys.path.insert(0, str(SRC))
sys.path.insert(1, str(ROOT / "benchmarks"))

from loguru import logger  # noqa: E402
from replay_reference import Costs, reference_trades  # noqa: E402

from adapters.history.klines import load_klines  # noqa: E402
from application.backtest.baselines import scanner_plan  # noqa: E402
from application.backtest.market_grid import BacktestMarket  # noqa: E402
from application.backtest.precompute import model_plan  # noqa: E402
from bootstrap.backtest_wiring import run_plan_sync  # noqa: E402
from bootstrap.mapping import scanner_rules_from, signal_thresholds_from  # noqa: E402
from bootstrap.settings import load_settings  # noqa: E402
from domain.features import FEATURE_NAMES  # noqa: E402
from domain.signal import Prediction  # noqa: E402
from domain.time_units import day_start_ms  # noqa: E402
from ports.errors import ConfigurationError  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"
WEEK_FILE = SHARED / "freqtrade_userdata/binance_spot_1m_2021-04-02_2021-05-31_96pairs.csv.xz"
WEEK = ("2021-05-01", "2021-05-08")
BASE_COMMIT = "ed38736"  # main before issue 17
TARGET_BARS, TARGET_SECONDS = 6_480_000, 60.0  # 30 days x 1440 min x 150 pairs
REPLAY_TARGET = 5.0  # issue 17: the replay's loop/reference ratio, as a multiple of today's
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


def replay_child(cache: str) -> None:
    """In a child interpreter (this tree or the base one): the scanner-rule baseline, loop vs reference."""
    logger.remove()
    settings = load_settings(None, overrides={"logging": {"file_enabled": False},
                                              "risk": {"initial_capital": 1000.0, "max_drawdown_pct": 0.99,
                                                       "max_daily_loss_pct": 0.99}})
    start, end = day_start_ms(WEEK[0]), day_start_ms(WEEK[1])
    try:
        klines = load_klines(WEEK_FILE, None, start, end, cache_dir=Path(cache))  # type: ignore[call-arg]
    except TypeError:  # the base tree's loader has no cache
        klines = load_klines(WEEK_FILE, None, start, end)
    market = BacktestMarket.build(klines)
    first = market.first_minute_from(start)
    thresholds = signal_thresholds_from(settings)
    plan = scanner_plan(market, scanner_rules_from(settings), thresholds, trade_from_minute=first)
    bars = int((market.rows[:, first:] >= 0).sum())
    costs = Costs(thresholds.take_profit_pct, thresholds.stop_loss_pct,
                  settings.timing.position_timeout_seconds // 60, settings.execution.taker_fee_rate,
                  settings.execution.slippage_bps / 10_000, settings.risk.max_trades_per_hour,
                  settings.risk.max_trades_per_day)
    reference = []
    for _ in range(3):
        cpu = time.process_time()
        trades = reference_trades(market, plan, first, costs)
        reference.append(time.process_time() - cpu)
    with tempfile.TemporaryDirectory() as folder:
        cpu, wall = time.process_time(), time.perf_counter()
        outcome = run_plan_sync(settings, market, plan, Path(folder), first)
        loop_cpu, loop_wall = time.process_time() - cpu, time.perf_counter() - wall
    print(json.dumps({"bars": bars, "loop_cpu": loop_cpu, "loop_wall": loop_wall, "ref_cpu": min(reference),
                      "loop_trades": len(outcome.run.trades), "ref_trades": len(trades),
                      "acted": outcome.run.acted_minutes, "peak": peak_rss_mb()}))


def replay_comparison(base: str, repeat: int) -> None:
    print(f"scanner-rule baseline, {WEEK_FILE.name} {WEEK[0]}..{WEEK[1]}: real loop vs numpy reference "
          f"(CPU s; load average {os.getloadavg()[0]:.1f})")
    print(f"{'tree':<16}{'bars':>10}{'trades':>8}{'ref tr':>7}{'acted':>7}{'loop s':>8}{'loop bars/s':>13}"
          f"{'ref bars/s':>12}{'loop/ref':>10}{'vs today':>10}{'peak MB':>9}{'load':>6}")
    with tempfile.TemporaryDirectory() as folder:
        trees = [("this tree", ROOT / "src")]
        try:
            archive = subprocess.run(["git", "-C", str(ROOT), "archive", base, "src", "config"],
                                     check=True, capture_output=True).stdout
            subprocess.run(["tar", "-x", "-C", folder], input=archive, check=True)
            trees.insert(0, (f"today ({base})", Path(folder) / "src"))
        except (subprocess.CalledProcessError, FileNotFoundError) as exc:
            print(f"(no base tree: {exc}; the ratio to today is not measured)")
        vs_today: list[float] = []  # this tree's ratio to today's, one a run
        for run in range(repeat):
            today = None
            for name, src in trees:
                out = subprocess.run([sys.executable, __file__, "--replay-child", "--src", str(src),
                                      "--cache", str(Path(folder) / "cache")],
                                     check=True, capture_output=True, text=True).stdout
                r = json.loads(out.strip().splitlines()[-1])
                ratio = (r["bars"] / r["loop_cpu"]) / (r["bars"] / r["ref_cpu"])
                if today is not None:
                    vs_today.append(ratio / today)
                today = today if today is not None else ratio
                print(f"{name:<16}{r['bars']:>10,}{r['loop_trades']:>8}{r['ref_trades']:>7}{r['acted']:>7}"
                      f"{r['loop_cpu']:>8.2f}{r['bars'] / r['loop_cpu']:>13,.0f}"
                      f"{r['bars'] / r['ref_cpu']:>12,.0f}"
                      f"{ratio:>10.4f}{ratio / today:>9.2f}x{r['peak']:>9.0f}{os.getloadavg()[0]:>6.1f}",
                      flush=True)
            if run + 1 < repeat:
                print()
    print(f"target: loop/ref >= {REPLAY_TARGET:g}x today's (vs today column): {replay_verdict(vs_today)}\n")


def replay_verdict(vs_today: Sequence[float]) -> str:
    """Met only when every run reached the target (one lucky run on a noisy machine is not a result)."""
    if not vs_today:
        return "not measured (no base tree)"
    met = sum(r >= REPLAY_TARGET for r in vs_today)
    runs = f"{len(vs_today)} run{'s' if len(vs_today) > 1 else ''}"
    span = f"{min(vs_today):.2f}-{max(vs_today):.2f}x in {runs}"
    return f"met ({span})" if met == len(vs_today) else f"missed ({span}, {met} at target)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", nargs="*", default=["freqtrade_userdata/*_1m_*.csv.xz",
                                                       "binancedatagetter_vision/*_1m_*.csv.xz"])
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--base", default=BASE_COMMIT, help="the commit measured as today's replay")
    parser.add_argument("--repeat", type=int, default=1, help="runs of the replay comparison")
    parser.add_argument("--skip-pipeline", action="store_true", help="only the replay comparison")
    parser.add_argument("--replay-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--src", default="", help=argparse.SUPPRESS)
    parser.add_argument("--cache", default="", help=argparse.SUPPRESS)
    parser.add_argument("--capital", type=float, default=1000.0,
                        help="initial capital (default 1000: with 30 USDT the 5 USDT minimum notional "
                             "strands positions that the loop retries every minute: that measures the bug, "
                             "not the speed)")
    args = parser.parse_args()
    if args.replay_child:
        replay_child(args.cache)
        return
    replay_comparison(args.base, args.repeat)
    if args.skip_pipeline:
        return
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
