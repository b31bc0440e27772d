"""`train`: fit, calibrate, evaluate out of time and export a LightGBM model to ONNX with its card and report.

    python -m bootstrap train --data train.parquet --out models/onnx/
    python -m bootstrap train --data A.csv.xz --data B.csv.xz --validation-from 2023-11-15 \\
        --test-from 2024-02-15 --stride 4 --out models/onnx/
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from adapters.history.schema import HistoryDataError
from adapters.history.sources import kline_files
from adapters.onnx.card import Thresholds
from adapters.training.fit import TrainerConfig
from adapters.training.labels import LabelSpec
from adapters.training.lightgbm_trainer import BoosterParams
from adapters.training.sources import KeepFeatures, fit_feature_rows, load_training_rows
from adapters.training.trainer import LightGbmTrainer
from application.research.train_model import TrainingPlan, plan_splits, train_model
from bootstrap import mapping
from bootstrap.commands.arguments import ArgumentProblem, add_data_option, data_paths, parse_symbols
from bootstrap.progress import FileSteps, Steps
from bootstrap.settings_model import Settings
from domain.symbol_costs import SymbolCosts
from ports.errors import ConfigurationError

EXIT_BAD_DATA = 3
STEPS_PER_FOLD = 3  # fitting, calibrating, evaluating (adapters/training/trainer.py)


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser("train", help="train the model (LightGBM -> ONNX + card + report)")
    add_data_option(p, required=True, help_text="data-set Parquet (bootstrap dataset) or 1m klines")
    p.add_argument("--out", type=Path, default=Path("models/onnx"), help="folder for the model files")
    p.add_argument("--symbols", default=None,
                   help="comma-separated pairs to keep, BTCUSDT or BTC/USDT (default: all)")
    p.add_argument("--label", choices=("spec", "outcome"), default="outcome",
                   help="outcome (default): net-positive trade under the configured exit policy and costs; "
                        "spec: +threshold within the horizon (spec 5.2, which predicts no net return)")
    p.add_argument("--walk-forward", type=int, default=1, metavar="K", help="expanding-window folds")
    p.add_argument("--validation-from", default=None, help="YYYY-MM-DD (UTC): explicit validation start")
    p.add_argument("--test-from", default=None, help="YYYY-MM-DD (UTC): explicit test start")
    p.add_argument("--test-to", default=None, help="YYYY-MM-DD (UTC, exclusive): end of the test period")
    p.add_argument("--stride", type=int, default=1, help="fit on every k-th minute (speed); 1 = all")
    p.add_argument("--calibration", choices=("isotonic", "sigmoid"), default="isotonic")
    p.add_argument("--n-estimators", type=int, default=400)
    p.add_argument("--num-leaves", type=int, default=15)
    p.add_argument("--learning-rate", type=float, default=0.05)
    p.add_argument("--version", default=None, help="model version (default: UTC time, YYYYmmdd-HHMMSS)")
    p.add_argument("--no-progress", action="store_true")
    p.set_defaults(run=run)


def _day_ms(text: str | None) -> int | None:
    return None if text is None else mapping.day_ms(text, option="train date")


def label_spec(kind: str, settings: Settings) -> LabelSpec:
    if kind == "spec":
        return LabelSpec("spec", settings.labels.horizon_bars, settings.labels.threshold_pct)
    rules = mapping.exit_rules_from(settings)  # the trade the bot would make, with its costs
    # each symbol of the fee table (execution.symbol_fees) at its own rates, every other at the default
    own = {s: mapping.trade_costs(settings, symbol=s) for s in settings.execution.symbol_fees}
    costs = SymbolCosts(mapping.trade_costs(settings), own)
    return LabelSpec("outcome", rules.timeout_bars, settings.labels.threshold_pct, rules, costs)


def _feature_rows(plan: TrainingPlan, config: TrainerConfig) -> KeepFeatures | None:
    """With explicit boundaries and a stride, only the rows the fit reads hold features (memory)."""
    if plan.validation_from_ms is None or plan.test_from_ms is None or config.train_row_stride <= 1:
        return None
    return fit_feature_rows(plan.validation_from_ms, config.train_row_stride, config.bar_ms)


def run(args: argparse.Namespace, settings: Settings) -> int:
    try:
        symbols = parse_symbols(args.symbols)
        paths = [f for p in data_paths(args.data) for f in kline_files(p, interval="1m")]
        plan_days = [_day_ms(d) for d in (args.validation_from, args.test_from, args.test_to)]
    except (ArgumentProblem, ConfigurationError) as exc:
        print(f"train: {exc}", file=sys.stderr)
        return 2
    spec = label_spec(args.label, settings)
    signal = settings.signal
    configured = Thresholds(min_probability=signal.min_probability, min_confidence=signal.min_confidence,
                            min_predicted_move_pct=signal.min_predicted_move_pct, rationale="settings")
    params = BoosterParams(n_estimators=args.n_estimators, num_leaves=args.num_leaves,
                           learning_rate=args.learning_rate, seed=settings.execution.seed)
    # one recommended move for every symbol (the card has one): the default round trip, as the EV map's
    # net returns; a symbol's own fees reach the bot through its EV shift (application/symbol_fees.py)
    round_trip_pct = (2 * settings.execution.fees.effective_taker) * 100
    config = TrainerConfig(out_dir=args.out, configured_thresholds=configured, params=params,
                           calibration_method=args.calibration, train_row_stride=args.stride,
                           min_move_pct=round(round_trip_pct, 6))
    version = args.version or datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    plan = TrainingPlan(model_version=version, horizon_bars=spec.gap_bars,
                        walk_forward_folds=args.walk_forward,
                        validation_from_ms=plan_days[0], test_from_ms=plan_days[1], test_to_ms=plan_days[2])
    enabled = not args.no_progress
    steps: Steps = FileSteps("train: loading", [str(p) for p in paths], enabled=enabled)
    try:
        rows = load_training_rows(paths, spec, symbols=symbols, progress=steps,
                                  keep=_feature_rows(plan, config))
        steps.finish()
        # fit, calibrate and evaluate each fold, then export: the steps LightGbmTrainer reports
        steps = Steps("train: fitting", STEPS_PER_FOLD * len(plan_splits(rows.sorted_times, plan)) + 1,
                      enabled=enabled)
        steps.note(f"{len(rows):,} labelled rows, base rate {rows.label.mean():.3f}")
        outcome = train_model(LightGbmTrainer(rows, config, steps), plan)
        steps.finish()
    except HistoryDataError as error:
        steps.abandon()
        print(f"train: cannot read klines: {error}", file=sys.stderr)
        return EXIT_BAD_DATA
    except (ValueError, OSError) as error:
        steps.abandon()
        print(f"train failed: {error}", file=sys.stderr)
        return 1
    test = outcome.chosen.metrics["test"]
    print(f"model {outcome.model_path} (card and report beside it): test AUC {test.get('auc')}, "
          f"baseline (ATR% alone) {test.get('baseline_auc')}, Brier {test.get('brier')}")
    for warning in outcome.warnings:
        print(f"WARNING: {warning}", file=sys.stderr)
    return 0
