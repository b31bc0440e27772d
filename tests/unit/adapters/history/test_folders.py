"""A folder of kline files of any kind the loader reads is one data set: recorded CSVs (plain or compressed),
Binance archives and Parquet cache files together, each symbol's rows of several files joined, files of
another interval left out when one is asked; a folder with nothing readable is one line. Built from the
committed sample (real Binance 1m klines), so it runs without ../shared."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from adapters.history.cache import KlineCache
from adapters.history.histories import read_histories
from adapters.history.layout import Month
from adapters.history.loader import clean_history, load_history
from adapters.history.schema import HistoryDataError
from adapters.research.lab_data import load_lab_data

from .conftest import zipped

DAY_MS = 86_400_000


def _archive_rows(rows: pd.DataFrame) -> bytes:
    """Rows in Binance's 12-field archive CSV (the optional fields the sample lacks as 0)."""
    out = pd.DataFrame({"open_time": rows["open_time"], "open": rows["open"], "high": rows["high"],
                        "low": rows["low"], "close": rows["close"], "volume": rows["volume"],
                        "close_time": rows["open_time"] + 59_999, "quote_volume": 0.0, "trades": 0,
                        "tbbv": 0.0, "tbqv": 0.0, "ignore": 0})
    return out.to_csv(header=False, index=False).encode()


@pytest.fixture(scope="module")
def mixed_folder(tmp_path_factory: pytest.TempPathFactory, sample_klines: Path) -> Path:
    """BTC/ETH in two recorded CSVs (days 1-2 plain, days 3-4 gzip), SOL as two daily archive zips, XRP
    as a Parquet cache month, BTC 15m bars in a file named for 15m, and a README."""
    rows = pd.read_csv(sample_klines)
    first_ms = int(rows["open_time"].min())
    folder = tmp_path_factory.mktemp("mixed")
    two = rows[rows["symbol"].isin(["BTCUSDT", "ETHUSDT"])]
    early = two["open_time"] < first_ms + 2 * DAY_MS
    two[early].to_csv(folder / "klines_1m_part1.csv", index=False)
    with gzip.open(folder / "klines_1m_part2.csv.gz", "wt") as out:
        two[~early].to_csv(out, index=False)
    sol = rows[rows["symbol"] == "SOLUSDT"]
    for day in ("2026-03-31", "2026-04-01"):
        start = int(pd.Timestamp(day, tz="UTC").timestamp() * 1000)
        part = sol[(sol["open_time"] >= start) & (sol["open_time"] < start + DAY_MS)]
        name = f"SOLUSDT-1m-{day}.zip"
        (folder / "archives").mkdir(exist_ok=True)
        (folder / "archives" / name).write_bytes(zipped(name, _archive_rows(part)))
    xrp = load_history(sample_klines, symbols=["XRPUSDT"])["XRPUSDT"].frame
    KlineCache(folder / "cache").write_month("XRPUSDT", "1m", Month(2026, 4), xrp, complete=True)
    btc = rows[rows["symbol"] == "BTCUSDT"].iloc[::15]
    btc.to_csv(folder / "klines_15m_btc.csv", index=False)
    (folder / "README.md").write_text("not data\n")
    return folder


def test_a_mixed_folder_is_one_data_set(mixed_folder: Path, sample_klines: Path) -> None:
    found = load_history(mixed_folder, interval="1m")
    assert sorted(found) == ["BTCUSDT", "ETHUSDT", "SOLUSDT", "XRPUSDT"]
    whole = load_history(sample_klines)
    for symbol in ("BTCUSDT", "ETHUSDT"):  # two files joined: the sample's four days, no 15m bar mixed in
        joined = clean_history(found[symbol])
        assert joined.report.is_clean and joined.interval_ms == 60_000
        pd.testing.assert_frame_equal(joined.frame, whole[symbol].frame)
    sol = found["SOLUSDT"].frame  # the two daily archives, in period order
    assert len(sol) == 2 * 1440 and np.all(np.diff(sol["open_time_ms"].to_numpy()) == 60_000)
    assert found["XRPUSDT"].report.rows == whole["XRPUSDT"].report.rows - 1440  # the April month only


def test_the_columnar_reading_of_a_folder_gives_the_same_frames(mixed_folder: Path) -> None:
    by_pandas = load_history(mixed_folder, interval="1m", symbols=["BTCUSDT", "XRPUSDT"])
    by_columns = dict(read_histories(mixed_folder, ["btcusdt", "XRPUSDT"], interval="1m"))
    assert sorted(by_columns) == ["BTCUSDT", "XRPUSDT"]
    for symbol, history in by_pandas.items():
        pd.testing.assert_frame_equal(by_columns[symbol].frame, history.frame, check_like=True)
        assert by_columns[symbol].report == history.report


def test_a_symbol_in_two_intervals_needs_one_asked(mixed_folder: Path) -> None:
    with pytest.raises(HistoryDataError, match=r"BTCUSDT: .* mixes 1m and 15m klines; give one interval"):
        load_history(mixed_folder)


def test_the_lab_reads_a_folder_as_its_files(mixed_folder: Path) -> None:
    data = load_lab_data([mixed_folder])
    assert sorted(data.klines) == ["BTCUSDT", "ETHUSDT", "SOLUSDT", "XRPUSDT"]
    assert len(data.klines["BTCUSDT"]) == 4 * 1440
    names = sorted(p.name for p in data.files)  # what the registry hashes: the 1m kline files read
    assert names == ["2026-04.parquet", "SOLUSDT-1m-2026-03-31.zip", "SOLUSDT-1m-2026-04-01.zip",
                     "klines_1m_part1.csv", "klines_1m_part2.csv.gz"]


def test_the_sample_folder_reads_like_its_file(sample_klines: Path) -> None:
    by_folder, by_file = load_lab_data([sample_klines.parent]), load_lab_data([sample_klines])
    assert sorted(by_folder.klines) == sorted(by_file.klines) == \
        ["BNBUSDT", "BTCUSDT", "ETHUSDT", "SOLUSDT", "XRPUSDT"]
    for symbol, k in by_file.klines.items():
        assert np.array_equal(by_folder.klines[symbol].close, k.close)
        assert np.array_equal(by_folder.klines[symbol].open_time_ms, k.open_time_ms)


def test_a_folder_with_nothing_readable_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "columnar" / "x.csv.xz.1-2-3.columns").mkdir(parents=True)
    (tmp_path / "columnar" / "x.csv.xz.1-2-3.columns" / "open.npy").write_bytes(b"\x93NUMPY")
    old_copy = tmp_path / "columnar" / "x.csv.1-2-3.parquet"  # copies as an earlier version made them
    pd.DataFrame({"open_time_ms": [1], "close": [1.0]}).to_parquet(old_copy)
    (tmp_path / "README.md").write_text("no data here\n")
    (tmp_path / ".hidden.csv").write_text("symbol,open_time,open,high,low,close,volume\n")
    with pytest.raises(HistoryDataError) as caught:
        load_lab_data([tmp_path])
    message = str(caught.value)
    assert "\n" not in message and message.startswith(f"{tmp_path}: no kline files in this folder")
    assert ".csv.xz" in message and ".zip" in message and ".parquet" in message
