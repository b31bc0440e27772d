"""Each data mistake a person makes with `backtest` gets one line naming what the data holds, and a
backtest interrupted leaves no half-written report. On the committed sample: no ../shared needed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bootstrap.__main__ import EXIT_INTERRUPTED, main
from bootstrap.commands import backtest as command

HOLDS = ("1m klines of BNBUSDT, BTCUSDT, ETHUSDT, SOLUSDT, XRPUSDT from 2026-03-31 00:00 to "
         "2026-04-03 23:59 UTC")


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "quiet.yaml"
    path.write_text(f"logging:\n  file_enabled: false\n  level: ERROR\nbacktest:\n"
                    f"  report_dir: {tmp_path / 'reports'}\ndata:\n  cache_dir: {tmp_path / 'cache'}\n",
                    encoding="utf-8")
    return path


def backtest(config: Path, capsys: pytest.CaptureFixture[str], *options: str) -> tuple[int, list[str]]:
    code = main(["backtest", "--config", str(config), "--no-baselines", *options])
    return code, capsys.readouterr().err.strip().splitlines()


def test_dates_outside_the_file(config: Path, sample_klines: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    code, err = backtest(config, capsys, "--data", str(sample_klines), "--start", "2027-01-01",
                         "--end", "2027-01-31")
    assert code == command.EXIT_NO_DATA and len(err) == 1, err
    assert "nothing from 2027-01-01 00:00 to 2027-01-31 23:59 UTC" in err[0] and HOLDS in err[0]


def test_end_before_start(config: Path, sample_klines: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = backtest(config, capsys, "--data", str(sample_klines), "--start", "2026-04-03",
                         "--end", "2026-04-01")
    assert code == command.EXIT_USAGE
    assert err == ["backtest: --end 2026-04-01 is before --start 2026-04-03"]


def test_an_unknown_symbol(config: Path, sample_klines: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = backtest(config, capsys, "--data", str(sample_klines), "--symbols", "BTCUSDT,DOGEUSDT")
    assert code == command.EXIT_NO_DATA and len(err) == 1, err
    assert err[0].startswith("backtest: DOGEUSDT not in ") and HOLDS in err[0]


def test_a_1h_file(config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hourly = tmp_path / "binance_spot_1h_2024-01-01_2024-01-02_BTC.csv"
    rows = [f"BTCUSDT,{1_704_067_200_000 + i * 3_600_000},1,2,0.5,1.5,10" for i in range(48)]
    hourly.write_text("symbol,open_time,open,high,low,close,volume\n" + "\n".join(rows) + "\n")
    code, err = backtest(config, capsys, "--data", str(hourly))
    assert code == command.EXIT_NO_DATA and len(err) == 1, err
    assert "holds 1h klines of BTCUSDT from 2024-01-01 00:00 to 2024-01-02 23:00 UTC" in err[0]
    assert "the backtest replays 1m klines" in err[0]
    assert len(list((tmp_path / "cache" / "columnar").iterdir())) == 1  # its column copy: in tmp


def test_a_month_13_is_said_once(config: Path, sample_klines: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    code, err = backtest(config, capsys, "--data", str(sample_klines), "--start", "2024-13-01")
    assert code == command.EXIT_USAGE
    assert err == ["backtest: --start 2024-13-01: not a date; expected YYYY-MM-DD, e.g. 2026-04-01"]


def test_a_missing_data_path_and_an_empty_glob(config: Path, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    code, err = backtest(config, capsys, "--data", str(tmp_path / "nope*.csv.xz"))
    assert code == command.EXIT_USAGE and err == [f"backtest: --data {tmp_path / 'nope*.csv.xz'}: no such "
                                                  "file or folder"]


class Interrupting:
    """run_backtest stand-in: writes part of the report folder, then Ctrl-C arrives."""

    def __call__(self, settings: Any, klines: Any, model: Any, start_ms: Any, folder: Path,
                 **_: Any) -> None:
        folder.mkdir(parents=True)
        (folder / "trades.csv").write_text("half a file")
        raise KeyboardInterrupt


def test_ctrl_c_removes_the_partial_report(config: Path, tmp_path: Path, sample_klines: Path, repo_root: Path,
                                           capsys: pytest.CaptureFixture[str],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(command, "run_backtest", Interrupting())
    code, err = backtest(config, capsys, "--data", str(sample_klines), "--symbols", "BTC/USDT",
                         "--model", str(repo_root / "models" / "onnx"))
    assert code == EXIT_INTERRUPTED and len(err) == 1 and "Traceback" not in err[0]
    assert err[0].startswith("interrupted (Ctrl-C): backtest stopped; its partial report folder")
    assert err[0].endswith("was removed")
    assert list((tmp_path / "reports").glob("backtest-*")) == []


@pytest.mark.parametrize("symbols", ["BTC/USDT", "btcusdt", "BTC-USDT,ETH/USDT"])
def test_slashed_and_lower_case_pairs_are_binance_symbols(config: Path, sample_klines: Path, symbols: str,
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    seen: dict[str, Any] = {}

    def fake_backtest(settings: Any, klines: Any, model: Any, start_ms: Any, *, baselines: bool,
                      **options: Any) -> int:
        seen["symbols"] = sorted(klines)
        return 0

    monkeypatch.setattr(command, "backtest", fake_backtest)
    monkeypatch.setattr(command.OnnxModel, "load", staticmethod(lambda path: None))
    code, _ = backtest(config, capsys, "--data", str(sample_klines.parent), "--symbols", symbols)
    assert code == 0
    assert seen["symbols"] == sorted({"BTCUSDT", "ETHUSDT"} if "ETH" in symbols else {"BTCUSDT"})


def test_a_window_the_data_only_partly_covers_is_said(sample_klines: Path) -> None:
    from adapters.history.klines import load_klines
    from domain.time_units import day_start_ms

    start, end = day_start_ms("2026-04-03"), day_start_ms("2026-04-11")
    klines = load_klines(sample_klines, ["BTCUSDT"], start, end)
    assert command.coverage_notes(klines, start, end) == [
        "the data ends 2026-04-03 23:59 UTC, before the last day asked"]
    assert command.coverage_notes(klines, start, day_start_ms("2026-04-04")) == []


@pytest.mark.parametrize(("start", "end", "said"), [
    ("2024-13-01", "2024-12-01",
     "download: --start 2024-13-01: not a date; expected YYYY-MM-DD, e.g. 2026-04-01"),
    ("2024-05-02", "2024-05-01", "download: --end 2024-05-01 is before --start 2024-05-02"),
])
def test_download_says_a_bad_day_once(config: Path, capsys: pytest.CaptureFixture[str], start: str, end: str,
                                     said: str) -> None:
    code = main(["--config", str(config), "download", "--symbols", "BTCUSDT", "--start", start, "--end", end])
    assert code == 2 and capsys.readouterr().err.strip().splitlines() == [said]
