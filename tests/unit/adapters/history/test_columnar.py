"""The columnar reader and its Parquet copy give exactly the pandas reader's arrays, or step aside."""

from __future__ import annotations

import lzma
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from adapters.history.columnar import read_columns
from adapters.history.columnar_cache import cache_file, cached_columns
from adapters.history.klines import load_klines, load_klines_pandas
from adapters.history.quality import check_quality
from adapters.history.schema import HistoryDataError, standardise
from domain.features import KlineArrays
from domain.time_units import DAY_MS, day_start_ms

FIELDS = ("open_time_ms", "open", "high", "low", "close", "volume", "taker_buy_base_volume", "quote_volume",
          "trades")
FIVE_PAIRS = "freqtrade_userdata/binance_spot_1m_2026-03-23_2026-04-22_5pairs.csv.xz"
FULL = "binancedatagetter_vision/binance_spot_1m_2023-10-01_2024-04-30_BTC_ETH_SOL_ARB.csv.xz"
T0 = 1_700_000_000_000 - 1_700_000_000_000 % 60_000


def assert_same(expected: dict[str, KlineArrays], got: dict[str, KlineArrays]) -> None:
    assert list(got) == list(expected)
    for symbol, klines in expected.items():
        for name in FIELDS:
            a, b = getattr(klines, name), getattr(got[symbol], name)
            assert a.dtype == b.dtype and np.array_equal(a, b, equal_nan=True), (symbol, name)


def rows(symbol: str, start: int, count: int, *, full: bool = False) -> pd.DataFrame:
    rng = np.random.default_rng(len(symbol) + count)
    close = 10 + rng.random(count).round(4)
    frame = pd.DataFrame({"symbol": symbol, "open_time": start + 60_000 * np.arange(count), "open": close,
                          "high": close + 0.5, "low": close - 0.5, "close": close,
                          "volume": rng.random(count).round(3)})
    if full:
        frame["quote_volume"], frame["trades"] = frame["volume"] * close, np.arange(count)
        frame["taker_buy_base_volume"] = frame["volume"] / 2
    return frame


def write(path: Path, frame: pd.DataFrame) -> Path:
    text = frame.to_csv(index=False).encode()
    path.write_bytes(lzma.compress(text) if path.name.endswith(".xz") else text)
    return path


@pytest.mark.parametrize("full", [False, True])
def test_small_files_read_the_same_whole_windowed_filtered_and_through_the_cache(tmp_path: Path,
                                                                                 full: bool) -> None:
    frame = pd.concat([rows("BBBUSDT", T0, 3000, full=full), rows("AAAUSDT", T0 + 600_000, 2500, full=full)])
    path = write(tmp_path / "set_1m_x.csv.xz", frame)
    window = (T0 + 2 * DAY_MS, T0 + 2 * DAY_MS + 3_600_000)
    for symbols, start, end in ((None, None, None), (["aaausdt"], None, None), (None, *window)):
        expected = load_klines_pandas(path, symbols, start, end)
        assert read_columns(path, symbols) is not None  # the columnar path was taken, not the fallback
        assert_same(expected, load_klines(path, symbols, start, end))
        assert_same(expected, load_klines(path, symbols, start, end, cache_dir=tmp_path / "cache"))
        assert_same(expected, load_klines(path, symbols, start, end, cache_dir=tmp_path / "cache"))
    assert cache_file(path, tmp_path / "cache").is_dir()


def test_unsorted_or_duplicated_times_are_left_to_the_pandas_reader(tmp_path: Path) -> None:
    frame = rows("AAAUSDT", T0, 500)
    shuffled = write(tmp_path / "shuffled_1m_.csv", pd.concat([frame.iloc[250:], frame.iloc[:250]]))
    repeated = write(tmp_path / "repeated_1m_.csv", pd.concat([frame, frame.iloc[[7]]]))
    for path in (shuffled, repeated):
        assert read_columns(path) is None
        assert cached_columns(path, tmp_path / "cache", None, (None, None)) is None
        assert_same(load_klines_pandas(path, None, None, None),
                    load_klines(path, None, None, None, cache_dir=tmp_path / "cache"))


def test_a_bad_value_fails_with_the_pandas_readers_message(tmp_path: Path) -> None:
    frame = rows("AAAUSDT", T0, 50)
    frame.loc[20, "close"] = -1.0
    frame.loc[20, "low"] = -1.5
    path = write(tmp_path / "bad_1m_.csv", frame)
    with pytest.raises(HistoryDataError, match=r"\[AAAUSDT\]: row 20 has low=-1.5: low must be"):
        load_klines(path, None, None, None, cache_dir=tmp_path / "cache")


def test_sorted_frames_get_the_same_quality_report_from_the_fast_path() -> None:
    frame = standardise(rows("AAAUSDT", T0, 400).drop(index=range(100, 130)).reset_index(drop=True), "t")
    report = check_quality(frame, "AAAUSDT", 60_000)
    assert (report.gaps[0].missing_bars, report.duplicates, report.non_monotonic) == (30, 0, 0)
    shuffled = pd.concat([frame.iloc[5:], frame.iloc[:5], frame.iloc[[9]]]).reset_index(drop=True)
    slow = check_quality(shuffled, "AAAUSDT", 60_000)
    assert (slow.gaps, slow.duplicates, slow.non_monotonic) == (report.gaps, 1, 1)


@pytest.mark.parametrize("name, start, end", [(FIVE_PAIRS, "2026-04-01", "2026-04-04"),
                                              (FULL, "2024-01-10", "2024-01-12")])
def test_real_data_reads_the_same_both_ways(shared_data: Path, tmp_path: Path, name: str, start: str,
                                            end: str) -> None:
    path = shared_data / name
    window = (day_start_ms(start), day_start_ms(end))
    expected = load_klines_pandas(path, None, *window)
    assert expected and read_columns(path, None, window) is not None
    assert_same(expected, load_klines(path, None, *window))
    assert_same(expected, load_klines(path, None, *window, cache_dir=tmp_path))
    assert_same(expected, load_klines(path, None, *window, cache_dir=tmp_path))


def test_a_damaged_column_copy_is_dropped_and_the_source_read_again(tmp_path: Path) -> None:
    path = write(tmp_path / "set_1m_x.csv", pd.concat([rows("AAAUSDT", T0, 900), rows("BBBUSDT", T0, 700)]))
    expected = load_klines_pandas(path, None, None, None)
    assert_same(expected, load_klines(path, None, None, None, cache_dir=tmp_path / "cache"))
    copy = cache_file(path, tmp_path / "cache")
    (copy / "close.npy").write_bytes((copy / "close.npy").read_bytes()[:500])  # cut short
    assert_same(expected, load_klines(path, None, None, None, cache_dir=tmp_path / "cache"))
    assert not copy.exists()  # dropped; that read came from the source
    assert_same(expected, load_klines(path, None, None, None, cache_dir=tmp_path / "cache"))
    assert (copy / "close.npy").stat().st_size > 500  # converted again whole


def test_reading_the_column_copy_imports_neither_pandas_nor_pyarrow(tmp_path: Path) -> None:
    path = write(tmp_path / "set_1m_x.csv", rows("AAAUSDT", T0, 300))
    load_klines(path, None, None, None, cache_dir=tmp_path)
    script = ("import sys; from pathlib import Path; from adapters.history.klines import load_klines; "
              f"k = load_klines(Path({str(path)!r}), None, None, None, cache_dir=Path({str(tmp_path)!r})); "
              "print(len(k['AAAUSDT']), [m for m in ('pandas', 'pyarrow', 'talib') if m in sys.modules])")
    src = Path(__file__).resolve().parents[4] / "src"
    out = subprocess.run([sys.executable, "-c", script], env={**os.environ, "PYTHONPATH": str(src)},
                         check=True, capture_output=True, text=True).stdout
    assert out.split() == ["300", "[]"]
