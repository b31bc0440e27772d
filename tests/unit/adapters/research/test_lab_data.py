"""The lab's data is held once, compactly: merged per symbol (the first path wins a shared minute) and the
columns a file lacks are one shared read-only NaN buffer."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from adapters.research.lab_data import load_lab_data

START = 1_700_000_000_000 - 1_700_000_000_000 % 60_000


def _csv(path: Path, symbol_minutes: dict[str, range], price: float) -> Path:
    rows = [f"{s},{START + m * 60_000},{price},{price + 1},{price - 1},{price},{m + 1}"
            for s, minutes in symbol_minutes.items() for m in minutes]
    path.write_text("symbol,open_time,open,high,low,close,volume\n" + "\n".join(rows) + "\n")
    return path


def test_a_minute_in_two_files_is_taken_from_the_first(tmp_path: Path) -> None:
    first = _csv(tmp_path / "a.csv", {"BTCUSDT": range(0, 100)}, 10.0)
    second = _csv(tmp_path / "b.csv", {"BTCUSDT": range(50, 150)}, 20.0)
    k = load_lab_data([second, first]).klines["BTCUSDT"]
    assert np.array_equal(k.open_time_ms, START + np.arange(150) * 60_000)
    assert (k.open[:50] == 10.0).all() and (k.open[50:] == 20.0).all()
    assert np.array_equal(k.volume, np.r_[np.arange(1, 51), np.arange(51, 151)].astype(float))


def test_missing_columns_share_one_read_only_buffer(tmp_path: Path) -> None:
    path = _csv(tmp_path / "a.csv", {"BTCUSDT": range(0, 80), "ETHUSDT": range(0, 120)}, 5.0)
    data = load_lab_data([path])
    btc, eth = data.klines["BTCUSDT"], data.klines["ETHUSDT"]
    for k in (btc, eth):
        for column in (k.taker_buy_base_volume, k.quote_volume, k.trades):
            assert len(column) == len(k) and np.isnan(column).all() and not column.flags.writeable
    assert np.shares_memory(btc.trades, eth.quote_volume)
    assert not np.shares_memory(btc.volume, eth.volume)


def test_max_days_keeps_the_first_days_of_each_path(tmp_path: Path) -> None:
    path = _csv(tmp_path / "a.csv", {"BTCUSDT": range(0, 3 * 1440)}, 5.0)
    k = load_lab_data([path], max_days=1).klines["BTCUSDT"]
    assert len(k) == 1440 and k.open_time_ms[-1] == START + 1439 * 60_000
