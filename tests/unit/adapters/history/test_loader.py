"""Readers: archive files (zip/CSV, ms and us), REST payloads, recorded CSVs, the cache; quality reports."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from adapters.history.archive_files import parse_archive_csv, parse_rest_klines, read_zip_csv
from adapters.history.cache import KlineCache
from adapters.history.layout import Month
from adapters.history.loader import SymbolHistory, clean_history, load_history
from adapters.history.quality import check_quality, gap_free_segments
from adapters.history.schema import HistoryDataError, to_kline_arrays

from .conftest import OCT_2023_MS, archive_csv, rows_between, zipped

GAPPY = "freqtrade_userdata/binance_spot_1m_2023-03-16_2023-05-01_13pairs.csv.xz"


def test_archive_csv_in_ms_and_us_give_the_same_frame(arb_rows: pd.DataFrame) -> None:
    rows = arb_rows.iloc[:500]
    in_ms = parse_archive_csv(archive_csv(rows), "ms.csv")
    in_us = read_zip_csv(zipped("x.zip", archive_csv(rows, microseconds=True)), "us.zip")
    pd.testing.assert_frame_equal(in_ms, in_us)
    np.testing.assert_array_equal(in_ms["open_time_ms"].to_numpy(), rows["open_time"].to_numpy())
    assert in_ms["open_time_ms"].dtype == np.int64 and in_ms["close"].dtype == np.float64
    header = b"open_time,open,high,low,close,volume,close_time,quote_volume,count,tbbv,tbqv,ignore\n"
    pd.testing.assert_frame_equal(parse_archive_csv(header + archive_csv(rows), "h.csv"), in_ms)


def test_bad_archive_rows_are_named(arb_rows: pd.DataFrame) -> None:
    lines = archive_csv(arb_rows.iloc[:5]).decode().splitlines()
    fields = lines[3].split(",")
    fields[4] = "oops"
    lines[3] = ",".join(fields)
    with pytest.raises(HistoryDataError, match=r"bad\.csv: row 3 has close='oops': missing or not a number"):
        parse_archive_csv("\n".join(lines).encode(), "bad.csv")
    fields[4] = "-1"
    lines[3] = ",".join(fields)
    with pytest.raises(HistoryDataError, match=r"neg\.csv: row 3 has close=-1: close must be a finite"):
        parse_archive_csv("\n".join(lines).encode(), "neg.csv")
    with pytest.raises(HistoryDataError, match="expected 12 fields"):
        parse_archive_csv(b"1,2,3\n", "short.csv")
    with pytest.raises(HistoryDataError, match="corrupt zip"):
        read_zip_csv(b"not a zip", "x.zip")


def test_recorded_rest_klines(recorded: Path) -> None:
    path = recorded / "nautilus_trader/spot_http_json/http_spot_market_klines.json"
    payload = json.loads(path.read_text())
    frame = parse_rest_klines(payload, "klines.json")
    assert len(frame) == 10 and frame["close"].iloc[0] == 60719.27 and frame["trades"].iloc[0] == 617
    with pytest.raises(HistoryDataError, match="row 1: expected an array"):
        parse_rest_klines([payload[0], {"a": 1}], "bad.json")


def test_recorded_csv_with_quality_report(shared_data: Path) -> None:
    found = load_history(shared_data / GAPPY, nrows=20_000)
    ada = found["ADAUSDT"]
    assert ada.interval_ms == 60_000 and ada.frame["taker_buy_base_volume"].isna().all()
    assert len(ada.report.gaps) == 1 and ada.report.gaps[0].missing_bars == 80  # the 2023-03-24 halt
    assert "80 missing bars" in ada.report.summary() and not ada.report.is_clean
    assert len(ada.frame) == ada.report.rows  # nothing filled
    assert [s.stop - s.start for s in gap_free_segments(ada.frame["open_time_ms"].to_numpy(), 60_000)] \
        == [ada.report.rows - len(ada.frame[ada.frame.open_time_ms > ada.report.gaps[0].after_open_time_ms]),
            len(ada.frame[ada.frame.open_time_ms > ada.report.gaps[0].after_open_time_ms])]


def test_duplicates_and_disorder_are_reported_then_repaired_loudly(arb_rows: pd.DataFrame) -> None:
    frame = parse_archive_csv(archive_csv(arb_rows.iloc[:100]), "x")
    messy = pd.concat([frame.iloc[:50], frame.iloc[60:100], frame.iloc[50:60], frame.iloc[[10]]],
                      ignore_index=True)
    report = check_quality(messy, "ARBUSDT", 60_000)
    assert report.duplicates == 1 and report.conflicting_duplicates == 0 and report.non_monotonic == 2
    assert report.gaps == ()  # after sorting there is no hole
    fixed = clean_history(SymbolHistory("ARBUSDT", 60_000, messy, report))
    pd.testing.assert_frame_equal(fixed.frame, frame)
    assert fixed.report.is_clean
    conflict = messy.copy()
    conflict.loc[len(conflict) - 1, "close"] *= 1.01
    with pytest.raises(HistoryDataError, match="different values"):
        clean_history(SymbolHistory("ARBUSDT", 60_000, conflict, check_quality(conflict, "ARBUSDT", 60_000)))


def test_archive_folder_cache_and_kline_arrays(arb_rows: pd.DataFrame, tmp_path: Path) -> None:
    day = 86_400_000
    folder = tmp_path / "data/spot/daily/klines/ARBUSDT/1m"
    folder.mkdir(parents=True)
    for i in range(3):
        rows = rows_between(arb_rows, OCT_2023_MS + i * day, OCT_2023_MS + (i + 1) * day)
        name = f"ARBUSDT-1m-2023-10-0{i + 1}"
        if i == 1:
            (folder / f"{name}.csv").write_bytes(archive_csv(rows))
        else:
            (folder / f"{name}.zip").write_bytes(zipped(f"{name}.zip", archive_csv(rows)))
    loaded = load_history(tmp_path / "data")["ARBUSDT"]
    assert loaded.report.rows == 3 * 1440 and loaded.report.is_clean
    cache = KlineCache(tmp_path / "cache")
    cache.write_month("ARBUSDT", "1m", Month(2023, 10), loaded.frame, complete=True)
    from_cache = load_history(tmp_path / "cache")["ARBUSDT"]
    pd.testing.assert_frame_equal(from_cache.frame, loaded.frame)
    assert from_cache.interval_ms == 60_000
    k = to_kline_arrays(from_cache.frame)
    assert len(k) == 3 * 1440 and np.isfinite(k.taker_buy_base_volume).all()
    assert not list((tmp_path / "cache").rglob("*.tmp"))
    with pytest.raises(HistoryDataError, match="no such file"):
        load_history(tmp_path / "missing")
