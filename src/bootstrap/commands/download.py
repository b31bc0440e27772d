"""`download`: fill the kline cache from Binance's public archive (REST for days not archived yet).

    python -m bootstrap download --symbols BTCUSDT,ETHUSDT --interval 1m --start 2024-05-01 --end 2024-05-31
    python -m bootstrap download --symbols top:15 --start 2024-05-01 --end 2024-05-31

Whole months are fetched (the cache unit); months already cached are not fetched again.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, date, datetime
from typing import Any

from adapters.history.default_data import download_history
from adapters.history.downloader import DownloadReport
from adapters.history.http import DownloadError
from adapters.history.schema import INTERVAL_MS
from bootstrap.commands.arguments import ArgumentProblem, day_window
from bootstrap.mapping import default_data_from
from bootstrap.settings_model import Settings
from domain.time_units import DAY_MS


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("download", help="download historical klines into the local cache")
    parser.add_argument("--symbols", required=True,
                        help="comma-separated pairs (BTCUSDT,ETH/USDT) or top:N (N most traded USDT pairs)")
    parser.add_argument("--interval", default="1m", choices=sorted(INTERVAL_MS, key=INTERVAL_MS.__getitem__))
    parser.add_argument("--start", required=True, help="YYYY-MM-DD (UTC)")
    parser.add_argument("--end", required=True, help="YYYY-MM-DD (UTC), inclusive")
    parser.add_argument("--workers", type=int, default=None, help="parallel downloads (default: settings)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.set_defaults(run=run)


async def download(args: argparse.Namespace, settings: Settings, start: date, end: date) -> DownloadReport:
    return await download_history(default_data_from(settings), args.symbols, args.interval, start, end,
                                  workers=args.workers, progress=not args.no_progress)


def run(args: argparse.Namespace, settings: Settings) -> int:
    try:  # the days as every command reads them: one line for a bad day or an end before the start
        first, last = day_window(args.start, args.end)
    except ArgumentProblem as exc:
        print(f"download: {exc}", file=sys.stderr)
        return 2
    assert first is not None and last is not None
    start, end = (datetime.fromtimestamp(ms / 1000, UTC).date() for ms in (first, last - DAY_MS))
    try:
        report = asyncio.run(download(args, settings, start, end))
    except (DownloadError, ValueError) as exc:
        print(f"download failed: {exc}", file=sys.stderr)
        return 1
    print(f"{len(report.written)} month(s) written, {len(report.partial)} partial, "
          f"{len(report.already_cached)} already cached, {report.requests} request(s); "
          f"sources {report.sources}")
    for failure in report.failures:
        print(f"FAILED {failure}", file=sys.stderr)
    return 0 if report.ok else 1
