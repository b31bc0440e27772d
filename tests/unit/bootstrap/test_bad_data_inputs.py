"""Bad kline files on every command that reads them: one line naming what is wrong, exit 3, no traceback.

backtest, venue, dataset and train all read klines through adapters.history; each bad file below is handed
to each command through `python -m bootstrap`'s main (in process, in an empty folder).
"""

from __future__ import annotations

import io
import lzma
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from adapters.history.loader import load_history
from adapters.history.schema import HistoryDataError
from bootstrap.__main__ import main

EXIT_BAD_DATA = 3
START_MS = 1_700_000_000_000 - 1_700_000_000_000 % 60_000
ROWS = 40


def _frame() -> pd.DataFrame:
    close = 100 + np.arange(ROWS) * 0.01
    return pd.DataFrame({"symbol": "BTCUSDT", "open_time": START_MS + 60_000 * np.arange(ROWS),
                         "open": close, "high": close + 0.2, "low": close - 0.2, "close": close,
                         "volume": 1.0})


def _archive_rows(unit: int = 1) -> pd.DataFrame:
    f = _frame()
    return pd.DataFrame({"t": f.open_time * unit, "o": f.open, "h": f.high, "l": f.low, "c": f.close,
                         "v": 1.0, "ct": (f.open_time + 59_999) * unit, "q": 1.0, "n": 5, "tb": 0.5,
                         "tq": 0.5, "i": 0})


def _with(column: str, row: int, value: object) -> pd.DataFrame:
    frame = _frame().astype({column: object})
    frame.loc[row, column] = value
    return frame


def _csv(frame: pd.DataFrame) -> Callable[[Path], Path]:
    def write(folder: Path) -> Path:
        frame.to_csv(folder / "klines.csv", index=False)
        return folder / "klines.csv"
    return write


def _empty(folder: Path) -> Path:
    (folder / "klines.csv").write_bytes(b"")
    return folder / "klines.csv"


def _no_header(folder: Path) -> Path:
    _frame().to_csv(folder / "klines.csv", index=False, header=False)
    return folder / "klines.csv"


def _truncated_xz(folder: Path) -> Path:
    packed = lzma.compress(_frame().to_csv(index=False).encode())
    (folder / "klines.csv.xz").write_bytes(packed[: len(packed) // 2])
    return folder / "klines.csv.xz"


def _corrupt_zip(folder: Path) -> Path:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("BTCUSDT-1m-2023-11.csv", _archive_rows().to_csv(index=False, header=False))
    data = buffer.getvalue()
    (folder / "BTCUSDT-1m-2023-11.zip").write_bytes(data[: len(data) // 2])
    return folder / "BTCUSDT-1m-2023-11.zip"


def _archive_17_digits(folder: Path) -> Path:
    _archive_rows(unit=10_000).to_csv(folder / "BTCUSDT-1m-2023-11.csv", index=False, header=False)
    return folder / "BTCUSDT-1m-2023-11.csv"


def _parquet(value: float, *, time_unit: int = 1) -> Callable[[Path], Path]:
    def write(folder: Path) -> Path:
        f = _frame()
        table = pd.DataFrame({"open_time_ms": f.open_time * time_unit, "open": f.open, "high": f.high,
                              "low": f.low, "close": f.close, "volume": 1.0, "quote_volume": 1.0,
                              "trades": 1.0, "taker_buy_base_volume": 0.5, "taker_buy_quote_volume": 0.5})
        table.loc[12, "close"] = value if time_unit == 1 else table.loc[12, "close"]
        month = folder / "cache" / "klines" / "1m" / "BTCUSDT"
        month.mkdir(parents=True)
        pq.write_table(pa.Table.from_pandas(table, preserve_index=False), month / "2023-11.parquet")
        return folder / "cache"
    return write


BAD_FILES: dict[str, tuple[Callable[[Path], Path], str]] = {
    "empty_csv": (_empty, "empty"),
    "header_only": (_csv(_frame().head(0)), "a header and no kline rows"),
    "missing_column": (_csv(_frame().drop(columns=["close"])), "missing column(s) close"),
    "csv_close_inf": (_csv(_with("close", 12, "inf")), "row 12 has close=inf"),
    "csv_close_zero": (_csv(_with("close", 12, 0.0)), "row 12 has close=0"),
    "csv_low_negative": (_csv(_with("low", 5, -1.0)), "row 5 has low=-1"),
    "csv_17_digit_time": (_csv(_frame().assign(open_time=_frame().open_time * 10_000)), "17 digits"),
    "no_header": (_no_header, "no header line"),
    "truncated_xz": (_truncated_xz, "cannot read as CSV"),
    "corrupt_zip": (_corrupt_zip, "corrupt zip"),
    "archive_17_digit_time": (_archive_17_digits, "17 digits"),
    "parquet_close_inf": (_parquet(float("inf")), "row 12 has close=inf"),
    "parquet_close_nan": (_parquet(float("nan")), "row 12 has close=nan"),
    "parquet_17_digit_time": (_parquet(0.0, time_unit=10_000), "17 digits"),
}

COMMANDS: dict[str, Callable[[Path, Path], list[str]]] = {
    "backtest": lambda data, out: ["backtest", "--data", str(data), "--no-baselines"],
    "venue": lambda data, out: ["venue", "--data", str(data), "--minutes", "10"],
    "dataset": lambda data, out: ["dataset", "--data", str(data), "--out", str(out / "d.parquet"),
                                  "--no-progress"],
    "train": lambda data, out: ["train", "--data", str(data), "--out", str(out / "model"), "--no-progress"],
}


@pytest.fixture(autouse=True)
def isolated(cli_env: Path) -> None:
    """In an empty folder, with no CryptoScalper variables set (tests/conftest.py)."""


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("bad", sorted(BAD_FILES))
def test_a_bad_kline_file_is_one_line_and_exit_3(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                bad: str, command: str) -> None:
    make, expected = BAD_FILES[bad]
    folder = tmp_path / "in"
    folder.mkdir()
    data = make(folder)
    assert main(COMMANDS[command](data, tmp_path)) == EXIT_BAD_DATA
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and expected in lines[0] and str(data) in lines[0], err


def test_sixteen_digit_microsecond_times_are_read_as_milliseconds(tmp_path: Path) -> None:
    in_ms = _frame()
    in_ms.to_csv(tmp_path / "ms.csv", index=False)
    in_ms.assign(open_time=in_ms.open_time * 1000).to_csv(tmp_path / "us.csv", index=False)
    _archive_rows(unit=1000).to_csv(tmp_path / "BTCUSDT-1m-2023-11.csv", index=False, header=False)
    expected = load_history(tmp_path / "ms.csv")["BTCUSDT"].frame
    from_us = load_history(tmp_path / "us.csv")["BTCUSDT"].frame
    from_archive = load_history(tmp_path / "BTCUSDT-1m-2023-11.csv")["BTCUSDT"].frame
    pd.testing.assert_frame_equal(from_us, expected)
    np.testing.assert_array_equal(from_archive["open_time_ms"], expected["open_time_ms"])
    assert str(expected["open_time_ms"].iloc[0]) == str(START_MS) and len(str(START_MS)) == 13


def test_a_time_past_2100_is_refused(tmp_path: Path) -> None:
    _frame().assign(open_time=5 * 10**13).to_csv(tmp_path / "far.csv", index=False)
    with pytest.raises(HistoryDataError, match="row 0 has open_time=50000000000000: not a time"):
        load_history(tmp_path / "far.csv")
