"""The data-set builder and the `download`/`dataset` commands, on real rows."""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from adapters.history.archive_files import parse_archive_csv
from adapters.history.cache import KlineCache
from adapters.history.layout import Month, monthly_archive_path
from adapters.history.schema import to_kline_arrays
from bootstrap.commands import dataset as dataset_command
from bootstrap.commands import download as download_command
from domain.features import FEATURE_NAMES, WARMUP_BARS, compute_features
from domain.labels import spec_label

from .conftest import OCT_2023_MS, FakeBinance, archive_csv, rows_between, zipped


def settings(cache_dir: Path, base_url: str = "http://127.0.0.1:9") -> Any:
    data = SimpleNamespace(cache_dir=cache_dir, archive_base_url=base_url, rest_base_url=base_url,
                           download_workers=2, default_top_pairs=5, default_days=7)
    return SimpleNamespace(data=data, labels=SimpleNamespace(horizon_bars=3, threshold_pct=0.002))


def test_dataset_command_splits_at_gaps(arb_rows: pd.DataFrame, tmp_path: Path) -> None:
    rows = arb_rows.iloc[:4320].drop(index=range(2500, 2510))  # a 10-minute hole after row 2500
    folder = tmp_path / "klines"
    folder.mkdir()
    (folder / "ARBUSDT-1m-2023-10.zip").write_bytes(zipped("ARBUSDT-1m-2023-10.zip", archive_csv(rows)))
    out = tmp_path / "train.parquet"
    args = argparse.Namespace(data=folder, out=out, symbols=None, no_progress=True)
    assert dataset_command.run(args, settings(tmp_path)) == 0

    table = pq.read_table(out)
    meta = table.schema.metadata
    assert meta[b"feature_version"] == b"v1" and json.loads(meta[b"feature_names"]) == list(FEATURE_NAMES)
    frame = table.to_pandas()
    assert list(frame.columns) == ["symbol", "open_time_ms", "close", *FEATURE_NAMES, "label", "max_move_pct"]
    assert len(frame) == (2500 - WARMUP_BARS + 1 - 3) + (1810 - WARMUP_BARS + 1 - 3)
    assert frame["label"].isin([0.0, 1.0]).all() and (frame["symbol"] == "ARBUSDT").all()
    second = rows.iloc[2500:]  # features restart after the gap: same as computing on that segment alone
    k = to_kline_arrays(parse_archive_csv(archive_csv(second), "segment"))
    expected = compute_features(k)[WARMUP_BARS - 1:-3]
    got = frame[frame["open_time_ms"] > rows["open_time"].iloc[2499]][list(FEATURE_NAMES)].to_numpy()
    np.testing.assert_array_equal(got, expected)
    label = spec_label(k.high, k.close, 3, 0.002)[WARMUP_BARS - 1:-3]
    np.testing.assert_array_equal(frame["label"].to_numpy()[-len(label):], label)


async def test_download_command(fake_binance: FakeBinance, arb_rows: pd.DataFrame, tmp_path: Path) -> None:
    october = monthly_archive_path("ARBUSDT", "1m", Month(2023, 10))
    fake_binance.add_zip(october, archive_csv(rows_between(arb_rows, OCT_2023_MS, OCT_2023_MS + 86_400_000)))
    args = argparse.Namespace(symbols="arbusdt", interval="1m", start="2023-10-05", end="2023-10-06",
                              workers=None, no_progress=True)
    conf = settings(tmp_path, fake_binance.base_url)
    code = await asyncio.to_thread(download_command.run, args, conf)  # its own event loop
    assert code == 0
    assert KlineCache(tmp_path).read("ARBUSDT", "1m").shape[0] == 1440
