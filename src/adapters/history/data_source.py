"""Where the kline cache is and how the default download fills it (a plain value: no I/O library here,
so the trading commands can hold one without importing the loaders)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class DefaultData:
    """Where the cache is, where to fill it from, and how much the default download takes."""

    cache_dir: Path
    archive_base_url: str
    rest_base_url: str
    download_workers: int
    top_pairs: int
    days: int
