"""The container builds for every mode, picks the right clock and journal, and says where a backtest's
per-run objects come from. The adapters of paper and live: test_container_modes.py."""

from __future__ import annotations

import ast
import inspect
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from dependency_injector import providers

import bootstrap.container as container_module
from adapters.binance.server_clock import ExchangeClock
from adapters.clocks import ReplayClock, SystemClock
from adapters.storage.trade_journal import CsvJsonTradeJournal
from bootstrap.container import MODES, Container, build_container
from bootstrap.settings_model import Settings
from domain.risk import Approved, RiskBook, TradeIntent
from ports.errors import ConfigurationError

BUILT_PER_RUN = {"exchange": "exchange", "market_feed": "market feed", "scanner": "scanner",
                 "model": "model's precomputed predictions"}


class GatedModel:
    """Just enough of the Model port for the container's config: a model whose card opens at 0.3%."""

    ev_gate_margin_pct = 0.3


def settings_in(tmp_path: Path, **sections: dict[str, Any]) -> Settings:
    data: dict[str, Any] = {
        "logging": {"trade_log_path": str(tmp_path / "logs" / "trades.csv"),
                    "trade_json_path": str(tmp_path / "logs" / "trades.jsonl"), "file_enabled": False},
        "backtest": {"report_dir": str(tmp_path / "reports")}, "state": {"dir": str(tmp_path / "state")},
    }
    for name, values in sections.items():
        data[name] = {**data.get(name, {}), **values}
    return Settings.model_validate(data)


@pytest.mark.parametrize("mode", MODES)
def test_the_container_builds_for_every_mode(tmp_path: Path, mode: str) -> None:
    container = build_container(settings_in(tmp_path), mode)
    clock = container.clock()
    assert isinstance(clock, {"backtest": ReplayClock, "paper": SystemClock, "live": ExchangeClock}[mode])
    book = container.risk_book()
    assert isinstance(book, RiskBook) and container.risk_book() is book  # one book per run
    assert isinstance(container.trade_journal(), CsvJsonTradeJournal)
    container.model.override(providers.Object(GatedModel()))
    config = container.loop_config()
    assert config.mode == mode and config.thresholds.min_probability == 0.65
    assert config.thresholds.min_expected_net_return_percent == 0.3  # the model's gate raised the margin
    assert config.exit_policy.timeout_sec == 300
    assert (config.warmup_bars == 2) == (mode == "backtest")
    assert list(tmp_path.iterdir()) == []  # building touches no file


def test_every_provider_serves_the_trading_loop() -> None:
    """No dead providers: each one is something the trading loop is built from (settings and mode in)."""
    used = {id(p) for p in Container.trading_loop.traverse()} | {id(Container.trading_loop)}
    dead = [name for name, p in Container.providers.items()
            if id(p) not in used and name not in {"settings", "mode"}]
    assert dead == []


@pytest.mark.parametrize("provider", sorted(BUILT_PER_RUN))
def test_a_backtest_builds_its_market_and_exchange_per_run(tmp_path: Path, provider: str) -> None:
    container = build_container(settings_in(tmp_path), "backtest")
    with pytest.raises(ConfigurationError) as caught:
        getattr(container, provider)()
    assert str(caught.value) == (f"backtest mode: the {BUILT_PER_RUN[provider]} is built for each run "
                                 "(bootstrap/backtest_wiring.py)")


def test_an_unknown_mode_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="unknown mode 'demo'"):
        build_container(settings_in(tmp_path), "demo")


def test_the_risk_book_enforces_the_configured_limits(tmp_path: Path) -> None:
    settings = settings_in(tmp_path, risk={"initial_capital": 100.0, "max_position_pct": 0.1,
                                           "max_drawdown_pct": 0.3})
    container = build_container(settings, "paper")
    limits = container.risk_limits()
    assert (limits.initial_capital, limits.max_position_pct, limits.max_drawdown_pct) == (100.0, 0.1, 0.3)
    book = container.risk_book()
    decision = book.check(TradeIntent("ETHUSDT", 100.0, 99.6, 5.0, 0), 0, 100.0, ())
    assert isinstance(decision, Approved) and decision.size_usdt == pytest.approx(10.0)
    assert book.update_equity(71.0, 0) is False and book.update_equity(70.0, 0) is True


def test_thresholds_and_exit_policy_follow_the_switches(tmp_path: Path) -> None:
    on = build_container(settings_in(tmp_path, risk={"trailing_stop_enabled": True}), "paper")
    gated = on.loop_config().thresholds.min_expected_net_return_percent  # the committed card raises 0.0
    assert gated == pytest.approx(0.0995, abs=1e-4)
    assert on.loop_config().exit_policy.trailing_activation_pct == 0.002
    off = build_container(settings_in(tmp_path, signal={"ev_gate_enabled": False}), "paper")
    thresholds = off.loop_config().thresholds
    assert thresholds.min_expected_net_return_percent is None
    assert off.loop_config().exit_policy.trailing_activation_pct is None
    assert thresholds.stop_loss_pct == 0.004 and thresholds.take_profit_pct == 0.003


def test_each_mode_keeps_its_own_trade_history(tmp_path: Path) -> None:
    settings = settings_in(tmp_path)
    live = build_container(settings, "live").trade_journal()
    paper = build_container(settings, "paper").trade_journal()
    backtest = build_container(settings, "backtest").trade_journal()
    assert live.csv_path == tmp_path / "logs" / "trades.csv" and live.durable
    assert paper.csv_path == tmp_path / "logs" / "trades.paper.csv"
    assert paper.jsonl_path == tmp_path / "logs" / "trades.paper.jsonl"
    assert backtest.csv_path == tmp_path / "reports" / "trades.csv" and not backtest.durable
    assert len({live.csv_path, paper.csv_path, backtest.csv_path}) == 3


def test_the_replay_clock_starts_at_the_backtest_start(tmp_path: Path) -> None:
    container = build_container(settings_in(tmp_path, backtest={"start": "2021-05-19"}), "backtest")
    expected = int(datetime(2021, 5, 19, tzinfo=UTC).timestamp() * 1000)
    assert container.clock().now_ms() == expected
    assert build_container(settings_in(tmp_path), "backtest").clock().now_ms() == 0


def test_a_bad_backtest_start_is_a_configuration_error(tmp_path: Path) -> None:
    container = build_container(settings_in(tmp_path, backtest={"start": "19/05/2021"}), "backtest")
    with pytest.raises(ConfigurationError, match=r"backtest\.start"):
        container.clock()


def test_two_runs_do_not_share_state(tmp_path: Path) -> None:
    first = build_container(settings_in(tmp_path), "paper")
    second = build_container(settings_in(tmp_path), "paper")
    first.risk_book().record_entry("ETHUSDT", 0)
    assert second.risk_book().trades_today(0) == 0


def test_no_wiring_magic() -> None:
    tree = ast.parse(inspect.getsource(container_module))
    names = {node.attr if isinstance(node, ast.Attribute) else node.id
             for node in ast.walk(tree) if isinstance(node, ast.Attribute | ast.Name)}
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                for alias in node.names}
    assert not {"inject", "wire", "Provide"} & (names | imported)
