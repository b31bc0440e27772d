"""A backtest over USDC pairs (real klines renamed) with a zero-fee pair in execution.symbol_fees: the
capital is USDC, the zero-fee pair's trades pay nothing, the others the global rate."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from tests.support.backtest_data import SLICE_START, ScriptedModel, real_slice, settings_for

from bootstrap.commands import backtest as command
from domain.time_units import day_start_ms as day_ms


def test_a_usdc_backtest_charges_each_pair_its_own_rate(tmp_path: Path, shared_data: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    usdt = real_slice(shared_data, ("BTCUSDT", "SOLUSDT"))
    klines = {s.replace("USDT", "USDC"): k for s, k in usdt.items()}
    settings = settings_for(tmp_path, trading={"quote_asset": "usdc"},
                            execution={"symbol_fees": {"BTCUSDC": {"taker": 0.0, "maker": 0.0}}})
    assert command.backtest(settings, klines, ScriptedModel(), day_ms(SLICE_START), baselines=False) == 0
    (folder,) = tmp_path.glob("backtest-*")
    with (folder / "trades.csv").open(encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    fees = {s: [float(r["fees"]) for r in rows if r["symbol"] == s] for s in ("BTCUSDC", "SOLUSDC")}
    assert fees["BTCUSDC"] and fees["SOLUSDC"], "both pairs should trade on this slice"
    assert all(f == 0.0 for f in fees["BTCUSDC"])
    assert all(f > 0.0 for f in fees["SOLUSDC"])
    with (folder / "equity.csv").open(encoding="utf-8") as file:
        assert float(next(csv.DictReader(file))["equity"]) == pytest.approx(settings.risk.initial_capital)
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert "Equity (USDC, positions marked at market)" in page and "final equity (USDC)" in page
    assert "USDT" not in page  # the axis, the tables and the notes speak the run's quote asset
    printed = capsys.readouterr().out  # and so does the summary printed on the console
    assert "final equity (USDC)" in printed and "PnL after fees (USDC)" in printed and "(USDT)" not in printed


def test_the_ev_gate_opens_only_on_the_zero_fee_pair(tmp_path: Path, shared_data: Path) -> None:
    """The model's -0.1% after the default 0.2% round trip is +0.1% on a pair that pays no fee."""
    usdt = real_slice(shared_data, ("BTCUSDT", "SOLUSDT"))
    klines = {s.replace("USDT", "USDC"): k for s, k in usdt.items()}
    settings = settings_for(tmp_path, trading={"quote_asset": "USDC"},
                            execution={"symbol_fees": {"BTCUSDC": {"taker": 0.0, "maker": 0.0}}})
    model = ScriptedModel(net=-0.1)
    assert command.backtest(settings, klines, model, day_ms(SLICE_START), baselines=False) == 0
    (folder,) = tmp_path.glob("backtest-*")
    with (folder / "trades.csv").open(encoding="utf-8") as file:
        symbols = {r["symbol"] for r in csv.DictReader(file)}
    assert symbols == {"BTCUSDC"}
