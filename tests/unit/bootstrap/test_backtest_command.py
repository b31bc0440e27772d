"""`python -m bootstrap backtest`: the report agrees with its trades CSV; offline with an empty cache it
says in one line how to get data and exits 3."""

from __future__ import annotations

import csv
import json
import socket
from decimal import Decimal
from pathlib import Path

import pytest
from tests.support.backtest_data import SLICE_START, ScriptedModel, real_slice, settings_for

from bootstrap.__main__ import main
from bootstrap.commands import backtest as command
from domain.time_units import day_start_ms as day_ms


def _closed_port() -> int:
    """A loopback port nothing listens on: connections to it are refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _offline_config(tmp_path: Path) -> Path:
    url = f"http://127.0.0.1:{_closed_port()}"
    config = tmp_path / "offline.yaml"
    config.write_text(f"data:\n  cache_dir: {tmp_path / 'cache'}\n  archive_base_url: {url}\n"
                      f"  rest_base_url: {url}\nlogging:\n  file_enabled: false\n  level: ERROR\n"
                      f"backtest:\n  report_dir: {tmp_path / 'reports'}\n", encoding="utf-8")
    return config


def test_offline_with_an_empty_cache_and_no_sample_says_how_to_get_data_and_exits_3(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(command, "SAMPLE_DATA", tmp_path / "no-sample")
    code = main(["--config", str(_offline_config(tmp_path)), "backtest"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 3
    assert len(err) == 1, err
    assert "python -m bootstrap download" in err[0] and "--data PATH" in err[0]
    assert not (tmp_path / "reports").exists()


def test_offline_with_an_empty_cache_backtests_the_committed_sample(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], repo_root: Path) -> None:
    code = main(["backtest", "--config", str(_offline_config(tmp_path)), "--no-baselines",
                 "--model", str(repo_root / "models" / "onnx")])
    out = capsys.readouterr().out
    assert code == 0
    assert out.splitlines()[0].startswith("no data cache and Binance unreachable (")
    assert "backtesting the committed sample data/sample/" in out.splitlines()[0]
    (folder,) = (tmp_path / "reports").glob("backtest-*")
    assert (folder / "report.html").is_file() and "5 pairs" in out


def test_the_report_files_exist_and_agree_with_the_trades_csv(
        tmp_path: Path, shared_data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = settings_for(tmp_path)
    klines = real_slice(shared_data, ("BTCUSDT", "SOLUSDT"))
    assert command.backtest(settings, klines, ScriptedModel(), day_ms(SLICE_START), baselines=True) == 0
    printed = capsys.readouterr().out
    (folder,) = tmp_path.glob("backtest-*")
    for name in ("trades.csv", "trades.jsonl", "equity.csv", "summary.json", "report.html",
                 "baseline-random/trades.csv", "baseline-scanner/trades.csv"):
        assert (folder / name).is_file(), name
    with (folder / "trades.csv").open(encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    model, *baselines = summary["runs"]
    assert [b["name"] for b in baselines] == ["random entries", "scanner rule alone"]
    assert rows and model["trades"] == len(rows)
    total = sum(Decimal(r["pnl_usdt"]) for r in rows)
    assert float(total) == pytest.approx(model["pnl_usdt"], abs=1e-6)
    assert sum(float(r["fees"]) for r in rows) == pytest.approx(model["fees_usdt"], abs=1e-6)
    with (folder / "equity.csv").open(encoding="utf-8") as file:
        equity = list(csv.DictReader(file))
    capital = settings.risk.initial_capital
    assert float(equity[0]["equity"]) == capital
    end = float(equity[-1]["equity"])
    assert end == pytest.approx(model["final_equity"], abs=1e-6)
    # Equity ends at capital + the trades' PnL + the dust the lot steps left unsold (at market) less
    # what that dust cost, since no trade has charged it yet.
    dust_gain = model["dust_usdt"] - model["dust_cost_usdt"]
    assert end == pytest.approx(capital + float(total) + dust_gain, abs=1e-6)
    assert 0 <= model["dust_usdt"] <= len(rows) * 1.0
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert html.count('class="plotly-graph-div"') == 4  # equity, drawdown, months, trade returns
    assert "random entries" in html and "scanner rule alone" in html
    for baseline in ("baseline-random", "baseline-scanner"):  # each run's equity beside its trades
        with (folder / baseline / "equity.csv").open(encoding="utf-8") as file:
            assert float(next(csv.DictReader(file))["equity"]) == capital
    assert (folder / "buy-and-hold" / "equity.csv").is_file() and "buy and hold" in html
    assert "random entries" in printed and "PnL after fees" in printed and str(folder) in printed


def test_start_and_end_days_are_both_included_as_in_download() -> None:
    start, end = command.date_window("2026-04-01", "2026-04-01")
    assert start == day_ms("2026-04-01") and end == day_ms("2026-04-02")  # one whole UTC day
    assert command.date_window(None, None) == (None, None)
