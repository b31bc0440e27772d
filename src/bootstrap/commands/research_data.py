"""What the lab commands read: `--data` as given (files or folders of any kline kind, repeatable), or
the data cache when it holds klines; otherwise one line saying how to get some."""

from __future__ import annotations

import argparse
from pathlib import Path

from adapters.history.kline_formats import folder_files
from adapters.history.schema import HistoryDataError
from bootstrap.settings_model import Settings


def lab_paths(args: argparse.Namespace, settings: Settings) -> list[Path]:
    """--data as given (files or folders of any kline kind); without it the data cache, which must hold
    klines (HistoryDataError in one line saying how to get some otherwise)."""
    if args.data:
        return list(args.data)
    cache = settings.data.cache_dir
    if cache.is_dir() and folder_files(cache):
        return [cache]
    raise HistoryDataError(f"no --data given and the data cache {cache} holds no klines: pass --data "
                           "FILE_OR_FOLDER (e.g. data/sample) or fill the cache with `python -m bootstrap "
                           "download --symbols top:5 --start YYYY-MM-DD --end YYYY-MM-DD`")
