"""`--data` (a file, several files, a glob, a folder) and pairs (`BTC/USDT`) read the same way by every
command that reads klines. On the committed sample."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from adapters.simulated.venue.data import load_venue_data, parse_day
from bootstrap.__main__ import build_parser, main
from bootstrap.commands.arguments import (
    ArgumentProblem,
    data_paths,
    day_window,
    normalise_symbol,
    parse_symbols,
    symbol_list,
)
from domain.time_units import day_start_ms


@pytest.fixture
def two_copies(sample_klines: Path, tmp_path: Path) -> list[Path]:
    copies = [tmp_path / "a" / sample_klines.name, tmp_path / "b" / sample_klines.name]
    for copy in copies:
        copy.parent.mkdir()
        shutil.copy(sample_klines, copy)
    return copies


def test_a_glob_quoted_or_not_a_folder_and_several_files(two_copies: list[Path], tmp_path: Path) -> None:
    assert data_paths([str(tmp_path / "*" / "*.csv.xz")]) == two_copies  # the shell left the glob to us
    assert data_paths([str(p) for p in two_copies]) == two_copies
    assert data_paths(two_copies[0].parent) == [two_copies[0].parent]
    assert data_paths([two_copies[0], two_copies[0]]) == [two_copies[0]]
    with pytest.raises(ArgumentProblem, match="no such file or folder"):
        data_paths([str(tmp_path / "*.parquet")])


@pytest.mark.parametrize("command", ["backtest", "dataset", "train", "venue", "report"])
def test_every_kline_command_takes_several_data_values(command: str) -> None:
    argv = {"report": ["report", "edge"], "dataset": ["dataset", "--out", "x.parquet"]}.get(command,
                                                                                          [command])
    args = build_parser(command).parse_args([*argv, "--data", "a.csv", "b.csv", "--data", "dir"])
    assert args.data == ["a.csv", "b.csv", "dir"]


def test_pairs_are_binance_symbols() -> None:
    assert parse_symbols("BTC/USDT, eth-usdt,SOLUSDT") == ["BTCUSDT", "ETHUSDT", "SOLUSDT"]
    assert symbol_list(["BTC/USDT", "ETHUSDT"]) == ["BTCUSDT", "ETHUSDT"]
    assert parse_symbols(None) is None and normalise_symbol(" xrp/usdt ") == "XRPUSDT"
    with pytest.raises(ArgumentProblem, match="expected pairs separated by commas"):
        parse_symbols("BTC$USDT")


def test_days_both_included_and_in_order() -> None:
    assert day_window("2026-04-01", "2026-04-01") == (day_start_ms("2026-04-01"), day_start_ms("2026-04-02"))
    with pytest.raises(ArgumentProblem, match=r"^--end 2026-03-01 is before --start 2026-04-01$"):
        day_window("2026-04-01", "2026-03-01")


def test_the_venue_reads_several_files_as_one(two_copies: list[Path]) -> None:
    data = load_venue_data(two_copies, symbols=symbol_list(["BTC/USDT"]), start_ms=parse_day("2026-04-02"),
                           minutes=30)
    assert data.symbols == ("BTCUSDT",)


def test_dataset_on_a_folder_with_a_slashed_pair(sample_klines: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "train.parquet"
    code = main(["dataset", "--data", str(sample_klines.parent), "--symbols", "BTC/USDT", "--out", str(out),
                 "--no-progress", "--config", str(_quiet(tmp_path))])
    assert code == 0 and out.is_file()
    assert "for 1 pair(s)" in capsys.readouterr().out


def test_dataset_names_a_symbol_the_data_lacks(sample_klines: Path, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["dataset", "--data", str(sample_klines), "--symbols", "DOGE/USDT", "--out",
                 str(tmp_path / "x.parquet"), "--no-progress", "--config", str(_quiet(tmp_path))])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 3 and len(err) == 1 and "DOGEUSDT not in" in err[0] and "1m klines of BNBUSDT" in err[0]


def _quiet(tmp_path: Path) -> Path:
    path = tmp_path / "quiet.yaml"
    path.write_text("logging:\n  file_enabled: false\n  level: ERROR\n", encoding="utf-8")
    return path


def test_report_edge_says_in_one_line_what_it_needs(sample_klines: Path, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    quiet = str(_quiet(tmp_path))
    assert main(["report", "edge", "--data", str(sample_klines), "--config", quiet]) == 2
    assert capsys.readouterr().err.strip().endswith("(one to learn from, one to test)")
    assert main(["report", "edge", "--quick", "--data-root", str(tmp_path / "none"), "--config", quiet]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no such folder" in err[0]


def test_the_venue_names_what_the_data_holds(sample_klines: Path, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["venue", "--data", str(sample_klines.parent), "--symbols", "DOGE/USDT", "--config",
                 str(_quiet(tmp_path))])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 3 and len(err) == 1  # data errors exit 3 on every command
    assert "no 1m bars for DOGEUSDT" in err[0] and "it holds 1m klines of BNBUSDT, BTCUSDT" in err[0]
