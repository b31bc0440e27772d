"""Loading recorded klines for the venue, and the `venue` command's argument handling."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pytest

from adapters.history.schema import HistoryDataError
from adapters.simulated.venue.data import VenueData, load_venue_data, parse_day
from bootstrap.commands import venue as venue_command
from bootstrap.settings_model import Settings
from domain.features import KlineArrays
from domain.time_units import DAY_MS

FOLDER = "freqtrade_userdata"


def test_a_folder_is_narrowed_to_the_file_covering_the_start(shared_data: Path) -> None:
    start = parse_day("2026-04-01")
    data = load_venue_data(shared_data / FOLDER, symbols=["solusdt", "BTCUSDT"], start_ms=start, minutes=90)
    assert data.symbols == ("BTCUSDT", "SOLUSDT")
    for k in data.bars.values():
        assert k.open_time_ms[0] == start - DAY_MS and k.open_time_ms[-1] == start + 89 * 60_000
        assert np.all(np.diff(k.open_time_ms) == 60_000)
    assert data.default_start_ms() == start  # a day after the first bar


def test_unknown_symbols_and_bad_dates_are_named(shared_data: Path) -> None:
    path = shared_data / FOLDER / "binance_spot_1m_2025-06-01_2025-07-01_BTC_ETH.csv.xz"
    with pytest.raises(HistoryDataError, match="DOGEUSDT"):
        load_venue_data(path, symbols=["BTCUSDT", "DOGEUSDT"], minutes=10)
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        parse_day("01/06/2025")


def test_venue_data_refuses_unusable_bars() -> None:
    ones = np.ones(2)
    with pytest.raises(HistoryDataError, match="increasing"):
        VenueData({"X": KlineArrays(np.array([60_000, 60_000]), ones, ones, ones, ones, ones)})
    with pytest.raises(HistoryDataError, match="whole minutes"):
        VenueData({"X": KlineArrays(np.array([0, 61_000]), ones, ones, ones, ones, ones)})
    with pytest.raises(HistoryDataError, match="at least one"):
        VenueData({})


def test_the_command_reports_bad_data_without_serving(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser()
    venue_command.add_parser(parser.add_subparsers())
    args = parser.parse_args(["venue", "--data", str(tmp_path / "missing.csv"), "--speed", "60"])
    assert args.run is venue_command.run and args.port == 0 and args.host == "127.0.0.1"
    assert venue_command.run(args, Settings()) == venue_command.EXIT_BAD_OPTION  # as backtest: a bad --data
    assert "missing.csv" in capsys.readouterr().err
