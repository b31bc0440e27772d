"""`dataset`: features (spec 4.3) and labels (spec 5.2) for every pair found under --data, to Parquet.

    python -m bootstrap dataset --data data_cache/klines/1m --out data/train.parquet
    python -m bootstrap dataset --data data/sample --symbols BTC/USDT,ETHUSDT --out train.parquet
    python -m bootstrap dataset --data "../shared/data/freqtrade_userdata/*_1m_*.csv.xz" --out train.parquet
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from adapters.history.dataset import build_dataset
from adapters.history.schema import HistoryDataError
from bootstrap.commands.arguments import ArgumentProblem, add_data_option, data_paths, parse_symbols
from bootstrap.settings_model import Settings

EXIT_BAD_DATA = 3


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("dataset", help="build the training data set (features + labels)")
    add_data_option(parser, required=True,
                    help_text="1m klines: the cache, Binance archives (zip/CSV) or recorded CSV(.xz)")
    parser.add_argument("--out", required=True, type=Path, help="Parquet file to write")
    parser.add_argument("--symbols", default=None,
                        help="comma-separated pairs to keep, BTCUSDT or BTC/USDT (default: all)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    try:
        symbols = parse_symbols(args.symbols)
        paths = data_paths(args.data)
    except ArgumentProblem as exc:
        print(f"dataset: {exc}", file=sys.stderr)
        return 2
    try:
        summary = build_dataset(paths, args.out, horizon=settings.labels.horizon_bars,
                                threshold=settings.labels.threshold_pct, symbols=symbols,
                                progress=not args.no_progress)
    except HistoryDataError as exc:
        print(f"dataset: cannot read klines: {exc}", file=sys.stderr)
        return EXIT_BAD_DATA
    except OSError as exc:
        print(f"dataset failed: {exc}", file=sys.stderr)
        return 1
    print(f"{summary.rows} rows for {len(summary.symbols)} pair(s) written to {args.out}")
    for symbol, reason in summary.skipped.items():
        print(f"skipped {symbol}: {reason}", file=sys.stderr)
    return 0 if summary.symbols else 1
