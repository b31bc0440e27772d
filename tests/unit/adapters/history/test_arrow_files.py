"""Archive zips and Parquet cache months read with pyarrow give exactly the pandas readers' frames, and a
window read gives exactly the window's rows; a bad value is still named by the pandas reader. Real ARBUSDT
1m klines (data.binance.vision rows from ../shared/data) written back as Binance publishes them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from adapters.history.archive_files import read_zip_csv, read_zip_csv_pandas
from adapters.history.cache import KlineCache, read_parquet_frame, read_parquet_frame_pandas
from adapters.history.layout import Month
from adapters.history.schema import HistoryDataError

from .conftest import OCT_2023_MS, archive_csv, rows_between, zipped

DAY_MS = 86_400_000
WINDOW = (OCT_2023_MS + 3 * DAY_MS + 17 * 60_000, OCT_2023_MS + 9 * DAY_MS)


def _slice(frame: pd.DataFrame, window: tuple[int, int]) -> pd.DataFrame:
    times = frame["open_time_ms"]
    return frame[(times >= window[0]) & (times < window[1])].reset_index(drop=True)


@pytest.fixture(scope="module")
def month(arb_rows: pd.DataFrame) -> pd.DataFrame:
    """ARBUSDT, October 2023: 44,640 real 1m bars."""
    return rows_between(arb_rows, OCT_2023_MS, OCT_2023_MS + 31 * DAY_MS)


@pytest.mark.parametrize("variant", ["ms", "us", "header"])
def test_a_month_zip_reads_as_pandas_reads_it(month: pd.DataFrame, variant: str) -> None:
    csv = archive_csv(month, microseconds=variant == "us")
    if variant == "header":
        csv = b"open_time,open,high,low,close,volume,close_time,quote_volume,count,tbbv,tbqv,ignore\n" + csv
    data = zipped("ARBUSDT-1m-2023-10.zip", csv)
    reference = read_zip_csv_pandas(data, "a.zip")
    assert len(reference) == 31 * 1440
    pd.testing.assert_frame_equal(read_zip_csv(data, "a.zip"), reference, check_exact=True)
    pd.testing.assert_frame_equal(read_zip_csv(data, "a.zip", WINDOW), _slice(reference, WINDOW),
                                  check_exact=True)


def test_a_window_keeps_only_its_rows(month: pd.DataFrame) -> None:
    data = zipped("ARBUSDT-1m-2023-10.zip", archive_csv(month))
    part = read_zip_csv(data, "a.zip", WINDOW)
    assert part["open_time_ms"].iloc[0] == WINDOW[0] and part["open_time_ms"].iloc[-1] == WINDOW[1] - 60_000
    assert len(part) == 6 * 1440 - 17
    assert read_zip_csv(data, "a.zip", (OCT_2023_MS + 40 * DAY_MS, None)).empty


def test_a_bad_value_in_a_zip_is_named_as_before(month: pd.DataFrame) -> None:
    lines = archive_csv(month.iloc[:50]).decode().splitlines()
    fields = lines[7].split(",")
    fields[3] = "oops"
    lines[7] = ",".join(fields)
    data = zipped("x.zip", "\n".join(lines).encode())
    with pytest.raises(HistoryDataError, match=r"x\.zip:x\.csv: row 7 has low='oops': missing or not a num"):
        read_zip_csv(data, "x.zip")


def test_a_cache_month_reads_as_pandas_reads_it(month: pd.DataFrame, tmp_path: Path) -> None:
    frame = read_zip_csv(zipped("m.zip", archive_csv(month)), "m.zip")
    path = KlineCache(tmp_path).write_month("ARBUSDT", "1m", Month(2023, 10), frame, complete=True)
    reference = read_parquet_frame_pandas(path)
    pd.testing.assert_frame_equal(read_parquet_frame(path), reference, check_exact=True)
    part = read_parquet_frame(path, WINDOW)
    pd.testing.assert_frame_equal(part, _slice(reference, WINDOW), check_exact=True)
    assert len(part) == 6 * 1440 - 17
    assert read_parquet_frame(path, (None, OCT_2023_MS)).empty
    day = Month(2023, 10).first_day
    by_dates = KlineCache(tmp_path).read("ARBUSDT", "1m", day, day)
    assert len(by_dates) == 1440 and by_dates["open_time_ms"].iloc[-1] == OCT_2023_MS + DAY_MS - 60_000


def test_a_month_stored_in_microseconds_is_filtered_in_them(month: pd.DataFrame, tmp_path: Path) -> None:
    frame = read_zip_csv(zipped("m.zip", archive_csv(month)), "m.zip")
    path = tmp_path / "2023-10.parquet"
    pq.write_table(pa.Table.from_pandas(frame.assign(open_time_ms=frame["open_time_ms"] * 1000),
                                        preserve_index=False), path, row_group_size=5000)
    part = read_parquet_frame(path, WINDOW)
    pd.testing.assert_frame_equal(part, _slice(frame, WINDOW), check_exact=True)
    pd.testing.assert_frame_equal(read_parquet_frame(path), read_parquet_frame_pandas(path), check_exact=True)
    assert np.array_equal(read_parquet_frame(path, (WINDOW[0], None))["open_time_ms"],
                          frame["open_time_ms"][frame["open_time_ms"] >= WINDOW[0]])
