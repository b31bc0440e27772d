"""`report edge`: net money per trade out of time, per market period, against two baselines (issue 8).

    python -m bootstrap report edge                    # every 1m period of ../shared/data (44 min)
    python -m bootstrap report edge --quick            # two small periods, a few days each (~1 min)
    python -m bootstrap report edge --data A.csv.xz B.csv.xz --out reports/edge-mine
    python -m bootstrap report edge --data "../shared/data/freqtrade_userdata/*_1m_*.csv.xz" --quick

Walk-forward: every period after the first is tested by a model trained only on the periods before it;
exit policy and EV gate are chosen on validation (application/research/walk_forward.py's folds, run
streamed: periods kept as klines, features a symbol at a time, within 1.5 GB; walk_forward_streamed.py).
Costs come from the settings (execution.*, each symbol of execution.symbol_fees at its own rates); the
cheaper-execution rows re-price the same trades. Writes edge.md, edge.json and edge.html into --out
(default reports/edge-<UTC time>/) and prints the tables.
Full data, measured once (Dec 2026, /usr/bin/time -v): 44 min wall (2,663 s; 1,554 CPU s, 58% of a core) and
1,416 MB peak RSS, on 2 cores shared with other jobs (load 4.8 at start, 2-7 during, 2.4 at the end).
Exit codes: 0 done, 2 bad settings or model, 3 no data.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from adapters.history.schema import HistoryDataError
from adapters.history.sources import kline_files
from adapters.onnx.model import OnnxModel
from adapters.process_heap import map_large_blocks
from adapters.training.edge_card import record_in_card
from adapters.training.edge_data import EdgePeriod, load_edge_periods, load_period, periods_from_files
from adapters.training.edge_learner import EDGE_PARAMS, QUICK_PARAMS, LightGbmEdgeLearner
from adapters.training.edge_report import markdown, write_edge_report
from application.research.period_source import PeriodSource
from application.research.report_payload import edge_summary, report_payload
from application.research.report_reproduction import reproduce_streamed
from application.research.report_text import intro_lines, report_tables
from application.research.walk_forward_streamed import evaluate_edge_streamed
from bootstrap.commands.arguments import ArgumentProblem, add_data_option, data_paths
from bootstrap.mapping import scanner_rules_from
from bootstrap.progress import Steps
from bootstrap.research_wiring import edge_config, model_figures
from bootstrap.settings_model import Settings
from domain.outcome import ExitRules, TradeCosts

EXIT_NO_DATA = 3
DEFAULT_PERIODS = Path(__file__).resolve().parents[3] / "config" / "report" / "edge-periods.yaml"
REPRODUCE_PERIOD = "2021-04"
def add_parser(subparsers: Any) -> None:
    report = subparsers.add_parser("report", help="reports: `report edge` (net PnL out of time vs baselines)")
    kinds = report.add_subparsers(dest="report", metavar="REPORT", required=True)
    p = kinds.add_parser("edge", help="walk-forward edge report over market periods")
    p.add_argument("--periods", type=Path, default=DEFAULT_PERIODS,
                   help="the file naming each period's files (default config/report/edge-periods.yaml)")
    p.add_argument("--data-root", type=Path, default=None,
                   help="the folder the periods' files are in (default: the periods file's root)")
    add_data_option(p, help_text="1m kline files, one period each, oldest first (a folder: its files by "
                                 "name); default: the periods of --data-root")
    p.add_argument("--quick", action="store_true", help="two small periods, a few days each (CI-sized)")
    p.add_argument("--days", type=float, default=None, help="keep only the first N days of each period")
    p.add_argument("--out", type=Path, default=None, help="folder (default reports/edge-<UTC time>)")
    p.add_argument("--max-train-rows", type=int, default=300_000, help="rows fitted per model (subsampled)")
    p.add_argument("--no-reproduce", action="store_true", help="skip the 70/15/15 reproduction on 2021")
    p.add_argument("--model", type=Path, default=None,
                   help="the model whose own test-period figures are added (default: model.path)")
    p.add_argument("--record-in-card", action="store_true",
                   help="write the summary into that model's card (edge_report)")
    p.set_defaults(run=run)


def _periods(args: argparse.Namespace) -> tuple[tuple[EdgePeriod, ...], float | None]:
    if args.data:
        files = [f.resolve() for p in data_paths(args.data) for f in kline_files(p, interval="1m")]
        if len(files) < 2:
            raise ArgumentProblem(f"--data: {len(files)} 1m kline file(s) given; the walk-forward needs two "
                                  "periods or more, oldest first (one to learn from, one to test)")
        return periods_from_files(files), args.days  # absolute: a period's files are read beside --data-root
    try:
        catalogue = load_edge_periods(args.periods)
    except ValueError as exc:
        raise ArgumentProblem(f"--periods {exc}") from None
    args.data_root = args.data_root or catalogue.root
    if not args.data_root.is_dir():
        raise ArgumentProblem(f"--data-root {args.data_root}: no such folder (the recorded data); give two "
                              "periods or more with --data OLDER.csv.xz NEWER.csv.xz")
    periods, days = (catalogue.quick, args.days or 6.0) if args.quick else (catalogue.periods, args.days)
    if len(periods) < 2:
        raise ArgumentProblem(f"--periods {args.periods}: {len(periods)} period(s) listed"
                              f"{' under quick' if args.quick else ''}; the walk-forward needs two or more")
    return periods, days


def load_sources(args: argparse.Namespace, settings: Settings) -> list[PeriodSource]:
    """Each period as its klines: the walk-forward builds a symbol's bars when it reads them."""
    periods, days = _periods(args)
    rules = scanner_rules_from(settings)
    out = []
    steps = Steps("report edge: loading", len(periods), "period", lines=True)
    try:
        for period in periods:
            steps(f"loading {period.name}: {period.description}")
            klines = load_period(args.data_root or Path("."), period, max_days=days)
            out.append(PeriodSource(period.name, klines, rules))
    except BaseException:
        steps.abandon()
        raise
    steps.finish()
    return out


def run(args: argparse.Namespace, settings: Settings) -> int:
    began = time.perf_counter()
    try:
        map_large_blocks()  # freed feature blocks go back to the OS: the walk-forward makes them per symbol
        bars = load_sources(args, settings)
    except ArgumentProblem as exc:
        print(f"report edge: {exc}", file=sys.stderr)
        return 2
    except (HistoryDataError, ValueError, OSError) as exc:
        print(f"report edge: cannot read the market data: {exc}", file=sys.stderr)
        return EXIT_NO_DATA
    config = edge_config(settings, quick=args.quick, max_train_rows=args.max_train_rows)
    learner = LightGbmEdgeLearner(QUICK_PARAMS if args.quick else EDGE_PARAMS)

    chosen = [b for b in bars if b.name == REPRODUCE_PERIOD]
    reproducing = bool(chosen and not args.no_reproduce and not args.quick)
    # a fit per exit policy per test period, the reproduction, the model's own
    steps = Steps("report edge", (len(bars) - 1) * len(config.policies) + reproducing + 1, lines=True)
    try:
        report = evaluate_edge_streamed(bars, learner, config, steps)
        reproduction = None
        if reproducing:
            steps(f"reproducing issue 8's measurement on {REPRODUCE_PERIOD} (70/15/15)")
            reproduction = reproduce_streamed(chosen[0], learner, ExitRules(0.003, 0.004, 5),
                                              TradeCosts(0.001, 0.001, 0.001, 0.0),
                                              max_train_rows=args.max_train_rows)
        steps("the committed model on its own test period")
        model = OnnxModel.load(args.model or Path(settings.model.path))
        committed = model_figures(model, settings, bars)
        periods = [f"{b.name} ({len(b):,} bars, {len(b.symbols)} pairs)" for b in bars]
        del bars, chosen  # the klines: the tables need only the folds' figures
    except BaseException:
        steps.abandon()
        raise
    steps.finish()
    seconds = time.perf_counter() - began
    folder = args.out or settings.backtest.report_dir / f"edge-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}"
    command = "python -m bootstrap report edge" + (" --quick" if args.quick else "")
    meta = {"command": command, "seconds": seconds, "periods": periods}
    report.seconds = seconds
    tables = report_tables(report, reproduction, committed)
    paths = write_edge_report(folder, intro_lines(report, meta), tables,
                              report_payload(report, reproduction, committed, meta))
    if args.record_in_card:
        now = datetime.now(UTC).isoformat(timespec="seconds")
        card = record_in_card(model.path, edge_summary(report, committed, command, now))
        print(f"edge summary recorded in {card}")
    print(report.verdict())
    print(markdown("", [], tables))
    print(f"edge report in {seconds:.0f}s: {paths['md']} (also {paths['html'].name}, {paths['json'].name})")
    return 0
