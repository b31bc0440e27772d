"""`backtest`: the trading loop over recorded 1m klines, beside two baselines, with a report.

    python -m bootstrap backtest    # the data cache; offline and empty: the committed data/sample
    python -m bootstrap backtest --data data/sample --symbols BTC/USDT,ETHUSDT --config my.yaml
    python -m bootstrap backtest --data "../shared/data/freqtrade_userdata/*_1m_*.csv.xz" \\
        --start 2026-04-01 --end 2026-04-08

Prints the summary of the model run beside the random-entry and scanner-only baselines, and writes
trades.csv, equity.csv, summary.json and report.html (plotly charts, offline) into
reports/backtest-<UTC time>/, each baseline's trades and equity in its own sub-folder (the folder is removed
again if the run is interrupted: no half-written report). Exit codes: 0 done, 2 bad options, settings or
model, 3 no data, 130 interrupted.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from loguru import logger
from pydantic import ValidationError

from adapters.history.default_data import NoDataError, cache_klines
from adapters.history.klines import KlineRequestError, load_klines
from adapters.history.schema import HistoryDataError
from adapters.history.sources import minute_text
from adapters.onnx.model import OnnxModel
from application.backtest.summary import side_by_side
from bootstrap.backtest_reporting import write_backtest_report
from bootstrap.backtest_wiring import run_backtest
from bootstrap.commands.arguments import (
    SAMPLE_DATA,
    ArgumentProblem,
    add_data_option,
    data_paths,
    day_window,
    parse_symbols,
)
from bootstrap.logging import configure_logging
from bootstrap.mapping import (
    EV_GATE_FLAG_NOTE,
    EV_GATE_OVERRIDDEN,
    default_data_from,
    ev_gate_state,
    without_edge_gate,
)
from bootstrap.progress import loading_bars, replay_bars
from bootstrap.settings_model import Settings
from domain.features import KlineArrays
from domain.time_units import MINUTE_MS
from ports.model import Model

EXIT_USAGE = 2
EXIT_NO_DATA = 3


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("backtest",
                                   help="backtest the model on recorded klines, beside two baselines")
    add_data_option(parser, help_text="1m klines: recorded CSV(.xz), Binance archives or a cache folder "
                                      "(default: backtest.data, else the data cache, else data/sample)")
    parser.add_argument("--start", default=None, help="first day traded, YYYY-MM-DD UTC (inclusive)")
    parser.add_argument("--end", default=None, help="last day traded, YYYY-MM-DD UTC (inclusive)")
    parser.add_argument("--symbols", default=None,
                        help="comma-separated pairs, BTCUSDT or BTC/USDT (default: every pair in the data)")
    parser.add_argument("--model", type=Path, default=None,
                        help="a .onnx model or folder (default: model.path)")
    parser.add_argument("--capital", type=float, default=None,
                        help="initial capital in the quote asset (risk.initial_capital)")
    parser.add_argument("--no-baselines", action="store_true", help="skip the two baselines")
    parser.add_argument("--ignore-edge-gate", action="store_true",
                        help="rehearsal: trade signals without the EV gate (no edge required); the report "
                             "and every signal line say so")
    parser.set_defaults(run=run)


def _settings(args: argparse.Namespace, settings: Settings) -> Settings:
    """The settings with the command line's overrides, validated like the config file."""
    raw = settings.model_dump()
    raw["backtest"].update({k: v for k, v in {"start": args.start, "end": args.end}.items() if v is not None})
    if args.capital is not None:
        raw["risk"]["initial_capital"] = args.capital
    try:
        return Settings.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(part) for part in first["loc"])
        raise ArgumentProblem(f"{key} = {first.get('input')!r}: {first['msg']}") from None


def date_window(start: str | None, end: str | None) -> tuple[int | None, int | None]:
    """[start day 00:00, the day after `end` 00:00) in UTC ms: both days included, as in `download`."""
    return day_window(start, end)


def run(args: argparse.Namespace, settings: Settings) -> int:
    try:
        settings = _settings(args, settings)
        bt = settings.backtest
        start_ms, end_ms = day_window(bt.start, bt.end)
        symbols = parse_symbols(args.symbols) or list(bt.symbols) or None
        given = data_paths(args.data) if args.data else (
            data_paths(bt.data, option="backtest.data") if bt.data is not None else None)
    except ArgumentProblem as exc:
        print(f"backtest: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if getattr(args, "log_level", None) is None:
        # Every replayed minute is a decision: they go to the log file; the console keeps warnings.
        configure_logging(settings.logging, console_level="WARNING")
    gate_overridden = bool(getattr(args, "ignore_edge_gate", False))
    if gate_overridden:
        settings = without_edge_gate(settings)
        logger.warning(EV_GATE_OVERRIDDEN)
    try:
        if given is not None:  # a recorded .csv.xz is converted to Parquet once, under the data cache
            klines = load_klines(given, symbols, start_ms, end_ms, progress=loading_bars("backtest"),
                                 cache_dir=settings.data.cache_dir)
        else:
            klines = _cache_or_sample(settings, symbols, start_ms, end_ms)
    except NoDataError as exc:
        print(exc, file=sys.stderr)
        return EXIT_NO_DATA
    except KlineRequestError as exc:
        print(f"backtest: {exc}", file=sys.stderr)
        return EXIT_NO_DATA
    except HistoryDataError as exc:
        print(f"backtest: cannot read the market data: {exc}", file=sys.stderr)
        return EXIT_NO_DATA
    for note in coverage_notes(klines, start_ms, end_ms):
        print(f"note: {note}", flush=True)
    model = OnnxModel.load(args.model or Path(settings.model.path))
    return backtest(settings, klines, model, start_ms, baselines=bt.baselines and not args.no_baselines,
                    gate_overridden=gate_overridden)


def coverage_notes(klines: Mapping[str, KlineArrays], start_ms: int | None, end_ms: int | None) -> list[str]:
    """What the window asked for and the data do not share: said, not silently shortened."""
    if not klines:
        return []
    first = min(int(k.open_time_ms[0]) for k in klines.values() if len(k))
    last = max(int(k.open_time_ms[-1]) for k in klines.values() if len(k))
    notes = []
    if start_ms is not None and first > start_ms:
        notes.append(f"the data starts {minute_text(first)} UTC, after the first day asked")
    if end_ms is not None and last + MINUTE_MS < end_ms:
        notes.append(f"the data ends {minute_text(last)} UTC, before the last day asked")
    return notes


def _cache_or_sample(settings: Settings, symbols: list[str] | None, start_ms: int | None,
                     end_ms: int | None) -> dict[str, KlineArrays]:
    """The data cache (downloading the default window when empty); offline with an empty cache, the
    committed sample, said in one line."""
    try:
        return cache_klines(default_data_from(settings), symbols, start_ms, end_ms)
    except NoDataError as exc:
        if not SAMPLE_DATA.is_dir():
            raise
        print(f"no data cache and Binance unreachable ({exc.why}): backtesting the committed sample "
              f"{SAMPLE_DATA.relative_to(SAMPLE_DATA.parents[1])}/ instead (see its README.md)", flush=True)
    return load_klines(SAMPLE_DATA, symbols, start_ms, end_ms, progress=loading_bars("backtest"))


def backtest(settings: Settings, klines: Mapping[str, KlineArrays], model: Model, start_ms: int | None, *,
             baselines: bool, gate_overridden: bool = False, progress: bool = True) -> int:
    began = time.perf_counter()
    folder = settings.backtest.report_dir / f"backtest-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}"
    try:
        result = run_backtest(settings, klines, model, start_ms, folder, baselines=baselines,
                              progress=replay_bars(progress))
        title = f"CryptoScalper backtest: {len(result.market.symbols)} pairs, model {model.version}"
        gate, gate_notes = ev_gate_state(settings, overridden=gate_overridden), []
        if gate_overridden:  # the header, the notes and every run's record say so
            title += f", {EV_GATE_FLAG_NOTE}"
            gate_notes.append(f"{EV_GATE_FLAG_NOTE}: a rehearsal of the pipeline, not evidence of an edge")
        paths = write_backtest_report(settings, result, folder, title, ev_gate=gate, extra_notes=gate_notes)
    except KeyboardInterrupt:  # no half-written report left behind: the folder goes, and main says so
        shutil.rmtree(folder, ignore_errors=True)
        raise KeyboardInterrupt(f"backtest stopped; its partial report folder {folder} was removed") from None
    print(title)
    print(side_by_side([result.main.summary, *(o.summary for o in result.baselines)],
                      settings.trading.quote_asset))
    print(f"{result.market.bar_count} bars in {time.perf_counter() - began:.1f}s; report: {paths['html']}; "
          f"trades: {paths['trades']}; equity: {paths['equity']}")
    if settings.logging.file_enabled:
        print(f"every decision (signals, risk refusals, orders, exits) is in {settings.logging.file_path}")
    return 0
