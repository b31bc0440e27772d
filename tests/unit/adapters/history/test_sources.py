"""Several kline sources read as one: files, a folder, a glob; and the one-line description of what they
hold. On the committed sample, split in two files by day."""

from __future__ import annotations

import lzma
from pathlib import Path

import numpy as np
import pytest

from adapters.history.klines import KlineRequestError, load_klines
from adapters.history.sources import holdings, kline_files, load_sources, named_span_ms
from domain.time_units import day_start_ms


@pytest.fixture(scope="module")
def halves(sample_klines: Path, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The sample as two files: 03-31..04-01 and 04-02..04-03 (a freqtrade-style name each)."""
    folder = tmp_path_factory.mktemp("halves")
    with lzma.open(sample_klines, "rt") as source:
        header, *rows = source.read().splitlines()
    cut = day_start_ms("2026-04-02")
    first = [r for r in rows if int(r.split(",")[1]) < cut]
    second = [r for r in rows if int(r.split(",")[1]) >= cut]
    paths = [folder / "binance_spot_1m_2026-03-31_2026-04-01_5pairs.csv",
             folder / "binance_spot_1m_2026-04-02_2026-04-03_5pairs.csv"]
    for path, part in zip(paths, (first, second), strict=True):
        path.write_text("\n".join([header, *part]) + "\n")
    return paths


def test_several_files_make_one_history_per_symbol(halves: list[Path], sample_klines: Path) -> None:
    whole = load_klines(sample_klines, ["BTCUSDT"], None, None)["BTCUSDT"]
    joined = load_klines(list(reversed(halves)), ["BTCUSDT"], None, None)["BTCUSDT"]
    assert np.array_equal(whole.open_time_ms, joined.open_time_ms)
    assert np.array_equal(whole.close, joined.close)


def test_a_folder_stands_for_its_csv_files_and_a_window_skips_files_outside(halves: list[Path]) -> None:
    folder = halves[0].parent
    assert kline_files(folder) == halves
    assert kline_files(folder, window=(day_start_ms("2026-04-02"), None)) == halves[1:]
    assert kline_files(folder, interval="1h") == []
    assert named_span_ms(halves[1]) == (day_start_ms("2026-04-02"), day_start_ms("2026-04-04"))


def test_what_the_data_holds_in_one_line(halves: list[Path]) -> None:
    held = holdings(load_sources(halves, symbols=["ETHUSDT", "SOLUSDT"]))
    assert held == "1m klines of ETHUSDT, SOLUSDT from 2026-03-31 00:00 to 2026-04-03 23:59 UTC"


def test_a_symbol_neither_file_has_is_named_with_what_they_hold(halves: list[Path]) -> None:
    with pytest.raises(KlineRequestError, match=r"^DOGEUSDT not in the 2 sources given") as caught:
        load_klines(halves, ["DOGEUSDT"], None, None)
    assert "binance_spot_1m_2026-04-02_2026-04-03_5pairs.csv: 1m klines of BNBUSDT" in str(caught.value)
