"""`backtest`: the trading loop over recorded 1m klines, beside two baselines, with a report.

    python -m bootstrap backtest      # the data cache (a small default is downloaded first when empty)
    python -m bootstrap backtest --start 2026-04-01 --end 2026-04-08 --symbols BTCUSDT,ETHUSDT \
        --data ../shared/data/freqtrade_userdata/binance_spot_1m_2026-03-23_2026-04-22_5pairs.csv.xz

Prints the summary of the model run beside the random-entry and scanner-only baselines, and writes
trades.csv, equity.csv, summary.json and report.html into reports/backtest-<UTC time>/.
Exit codes: 0 done, 2 bad settings or model, 3 no data.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from adapters.history.default_data import NoDataError, cache_klines
from adapters.history.klines import load_klines
from adapters.history.schema import HistoryDataError
from adapters.onnx.model import OnnxModel
from adapters.storage.backtest_report import ReportContent, write_report
from application.backtest.summary import costs_rows, notes, side_by_side, summary_record, table_rows
from bootstrap.backtest_wiring import run_backtest
from bootstrap.logging import configure_logging
from bootstrap.mapping import default_data_from
from bootstrap.settings_model import Settings
from domain.features import KlineArrays
from domain.time_units import DAY_MS, day_start_ms
from ports.errors import ConfigurationError
from ports.model import Model

EXIT_NO_DATA = 3


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("backtest",
                                   help="backtest the model on recorded klines, beside two baselines")
    parser.add_argument("--data", type=Path, default=None,
                        help="a kline file or folder (Binance archives, ../shared/data CSVs, a cache); "
                             "default: the data cache (backtest.data / data.cache_dir)")
    parser.add_argument("--start", default=None, help="first day traded, YYYY-MM-DD UTC (inclusive)")
    parser.add_argument("--end", default=None, help="last day traded, YYYY-MM-DD UTC (inclusive)")
    parser.add_argument("--symbols", default=None,
                        help="comma-separated pairs (default: every pair in the data)")
    parser.add_argument("--model", type=Path, default=None,
                        help="a .onnx model or folder (default: model.path)")
    parser.add_argument("--capital", type=float, default=None,
                        help="initial capital in USDT (risk.initial_capital)")
    parser.add_argument("--no-baselines", action="store_true", help="skip the two baselines")
    parser.set_defaults(run=run)


def _settings(args: argparse.Namespace, settings: Settings) -> Settings:
    """The settings with the command line's overrides, validated like the config file."""
    raw = settings.model_dump()
    raw["backtest"].update({k: v for k, v in {"start": args.start, "end": args.end}.items() if v is not None})
    if args.capital is not None:
        raw["risk"]["initial_capital"] = args.capital
    try:
        checked = Settings.model_validate(raw)
        for day in (checked.backtest.start, checked.backtest.end):
            if day is not None:
                day_start_ms(day)
    except (ValidationError, ValueError) as exc:
        raise ConfigurationError(f"backtest options: {str(exc).splitlines()[0]} ({exc})") from None
    return checked


def date_window(start: str | None, end: str | None) -> tuple[int | None, int | None]:
    """[start day 00:00, the day after `end` 00:00) in UTC ms: both days included, as in `download`."""
    return (day_start_ms(start) if start else None, day_start_ms(end) + DAY_MS if end else None)


def run(args: argparse.Namespace, settings: Settings) -> int:
    settings = _settings(args, settings)
    if getattr(args, "log_level", None) is None:
        # Every replayed minute is a decision: they go to the log file; the console keeps warnings.
        configure_logging(settings.logging, console_level="WARNING")
    bt = settings.backtest
    listed = args.symbols.split(",") if args.symbols else bt.symbols
    symbols = [s.strip().upper() for s in listed if s.strip()]
    start_ms, end_ms = date_window(bt.start, bt.end)
    data = args.data or bt.data
    try:
        if data is not None:
            klines = load_klines(Path(data), symbols or None, start_ms, end_ms,
                                 cache_dir=settings.data.cache_dir)  # a .csv.xz is converted once
        else:
            klines = cache_klines(default_data_from(settings), symbols or None, start_ms, end_ms)
    except NoDataError as exc:
        print(exc, file=sys.stderr)
        return EXIT_NO_DATA
    except HistoryDataError as exc:
        print(f"cannot read the market data: {exc}", file=sys.stderr)
        return EXIT_NO_DATA
    if not klines:
        print(f"no 1m klines found in {data or settings.data.cache_dir} for the period and symbols asked",
              file=sys.stderr)
        return EXIT_NO_DATA
    model = OnnxModel.load(args.model or Path(settings.model.path))
    return backtest(settings, klines, model, start_ms, baselines=bt.baselines and not args.no_baselines)


def backtest(settings: Settings, klines: Mapping[str, KlineArrays], model: Model, start_ms: int | None, *,
             baselines: bool) -> int:
    began = time.perf_counter()
    folder = settings.backtest.report_dir / f"backtest-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}"
    result = run_backtest(settings, klines, model, start_ms, folder, baselines=baselines)
    main, others = result.main, result.baselines
    title = f"CryptoScalper backtest: {len(result.market.symbols)} pairs, model {model.version}"
    summaries = [main.summary, *(o.summary for o in others)]
    paths = write_report(folder, ReportContent(
        title=title, start_ms=main.run.start_ms, end_ms=main.run.end_ms, equity=main.run.equity,
        run_names=[s.name for s in summaries], table=table_rows(summaries),
        records=[summary_record(s) for s in summaries], notes=notes(summaries), costs=costs_rows(summaries)))
    print(title)
    print(side_by_side(summaries))
    print(f"{result.market.bar_count} bars in {time.perf_counter() - began:.1f}s; report: {paths['html']}; "
          f"trades: {paths['trades']}; equity: {paths['equity']}")
    if settings.logging.file_enabled:
        print(f"every decision (signals, risk refusals, orders, exits) is in {settings.logging.file_path}")
    return 0
