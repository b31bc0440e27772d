"""The column cache holds one copy per source: a changed source's stale copies (and copies named the way
earlier versions named them) are removed when its new copy is written; another source of the same file
name keeps its own."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from adapters.history.columnar_cache import cache_file, cached_columns

START = 1_700_000_000_000 - 1_700_000_000_000 % 60_000


def _csv(path: Path, minutes: int, price: float) -> Path:
    rows = [f"BTCUSDT,{START + m * 60_000},{price},{price + 1},{price - 1},{price},{m + 1}"
            for m in range(minutes)]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("symbol,open_time,open,high,low,close,volume\n" + "\n".join(rows) + "\n")
    return path


def _read(source: Path, cache: Path) -> np.ndarray:
    found = cached_columns(source, cache, None, (None, None))
    assert found is not None
    return found["BTCUSDT"].floats["close"]


def test_a_changed_source_leaves_one_copy(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    source = _csv(tmp_path / "a" / "klines.csv", 50, 10.0)
    other = _csv(tmp_path / "b" / "klines.csv", 30, 30.0)  # same name, another file: its own copy
    columnar = cache / "columnar"
    columnar.mkdir(parents=True)
    old_dir = columnar / "klines.csv.1820-1796314739481941284-73056628a0268fab.columns"
    old_dir.mkdir()
    old_file = columnar / "klines.csv.1820-1796314739481941284-73056628a0268fab.parquet"
    old_file.write_bytes(b"PAR1")
    unrelated = columnar / "other.csv.1820-1796314739481941284-73056628a0268fab.columns"
    unrelated.mkdir()
    assert (_read(source, cache) == 10.0).all() and (_read(other, cache) == 30.0).all()
    first = cache_file(source, cache)
    assert first.is_dir() and not old_dir.exists() and not old_file.exists() and unrelated.is_dir()
    _csv(source, 60, 20.0)  # the source changes: a new copy, the old one goes
    os.utime(source, ns=(source.stat().st_atime_ns, source.stat().st_mtime_ns + 1_000_000_000))
    close = _read(source, cache)
    assert len(close) == 60 and (close == 20.0).all()
    assert not first.exists() and cache_file(source, cache).is_dir()
    assert (_read(other, cache) == 30.0).all() and cache_file(other, cache).is_dir()
    assert sorted(p.name for p in columnar.iterdir()) == sorted(
        [cache_file(source, cache).name, cache_file(other, cache).name, unrelated.name])
