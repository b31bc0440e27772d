"""The composition root: which concrete object each mode uses (ARCHITECTURE.md, "Modes").

Built synchronously from Settings and holding no async resources: feeds and exchanges are async context
managers that the trading loop enters. Every mode switch is a `providers.Selector` on `mode`. No
`@inject`/`wire()`: callers ask the container for what they need (`container.risk_book()`).

Adapters that have not landed yet (exchange, market feed, model, symbol universe) are placeholders that
raise ConfigurationError when resolved, so a mode that needs one fails at start-up with a clear line.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn

from dependency_injector import containers, providers

from adapters.clocks import ReplayClock, SystemClock
from adapters.storage.trade_journal import CsvJsonTradeJournal
from application.report_stats import StatsReporter
from bootstrap.settings_model import Settings
from domain.position import ExitPolicy
from domain.risk import RiskBook, RiskLimits
from domain.signal import SignalThresholds
from ports.errors import ConfigurationError

MODES = ("backtest", "paper", "live")


def risk_limits_from(settings: Settings) -> RiskLimits:
    risk = settings.risk
    return RiskLimits(
        initial_capital=risk.initial_capital, max_position_pct=risk.max_position_pct,
        min_position_usdt=risk.min_position_usdt, max_loss_per_trade_pct=risk.max_loss_per_trade_pct,
        max_daily_loss_pct=risk.max_daily_loss_pct, max_drawdown_pct=risk.max_drawdown_pct,
        max_open_positions=risk.max_open_positions, max_trades_per_hour=risk.max_trades_per_hour,
        max_trades_per_day=risk.max_trades_per_day)


def signal_thresholds_from(settings: Settings) -> SignalThresholds:
    signal, risk = settings.signal, settings.risk
    return SignalThresholds(
        min_probability=signal.min_probability, min_confidence=signal.min_confidence,
        min_predicted_move_pct=signal.min_predicted_move_pct, stop_loss_pct=risk.default_stop_loss_pct,
        take_profit_pct=risk.default_take_profit_pct, max_position_pct=risk.max_position_pct,
        min_expected_net_return_pct=signal.min_expected_net_return_pct if signal.ev_gate_enabled else None)


def exit_policy_from(settings: Settings) -> ExitPolicy:
    risk = settings.risk
    return ExitPolicy(
        take_profit_pct=risk.default_take_profit_pct, stop_loss_pct=risk.default_stop_loss_pct,
        timeout_sec=settings.timing.position_timeout_seconds,
        trailing_activation_pct=risk.trailing_activation_pct if risk.trailing_stop_enabled else None,
        trailing_distance_pct=risk.trailing_distance_pct, min_hold_sec=risk.min_hold_seconds)


def backtest_start_ms(settings: Settings) -> int:
    """Where the replay clock starts: backtest.start (UTC midnight), else 0 (the first event moves it)."""
    start = settings.backtest.start
    if start is None:
        return 0
    try:
        day = datetime.strptime(start, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise ConfigurationError(f"backtest.start = {start!r}: expected a date YYYY-MM-DD") from None
    return int(day.timestamp() * 1000)


def journal_paths(settings: Settings, mode: str) -> tuple[Path, Path]:
    """Live keeps the configured files. Paper writes beside them with a `.paper` tag (trades.paper.csv) so
    simulated money never mixes with real money in one history. A backtest writes in backtest.report_dir."""
    csv_path, json_path = settings.logging.trade_log_path, settings.logging.trade_json_path
    if mode == "paper":
        return (csv_path.with_name(f"{csv_path.stem}.paper{csv_path.suffix}"),
                json_path.with_name(f"{json_path.stem}.paper{json_path.suffix}"))
    if mode == "backtest":
        return (settings.backtest.report_dir / csv_path.name, settings.backtest.report_dir / json_path.name)
    return csv_path, json_path


def _journal(settings: Settings, mode: str) -> CsvJsonTradeJournal:
    csv_path, json_path = journal_paths(settings, mode)
    return CsvJsonTradeJournal(csv_path, json_path, durable=mode != "backtest")


def _not_landed(mode: str, thing: str) -> NoReturn:
    raise ConfigurationError(f"{mode} mode: the {thing} adapter has not landed yet")


class Container(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    mode = providers.Dependency(instance_of=str)

    clock = providers.Selector(
        mode,
        backtest=providers.Singleton(ReplayClock, providers.Callable(backtest_start_ms, settings)),
        paper=providers.Singleton(SystemClock),
        live=providers.Singleton(SystemClock),
    )
    risk_limits = providers.Singleton(risk_limits_from, settings)
    risk_book = providers.Singleton(RiskBook, risk_limits)
    signal_thresholds = providers.Singleton(signal_thresholds_from, settings)
    exit_policy = providers.Singleton(exit_policy_from, settings)
    trade_journal = providers.Singleton(_journal, settings, mode)
    stats_reporter = providers.Singleton(
        StatsReporter, trade_journal, risk_book, clock, settings.provided.risk.initial_capital)

    # Placeholders, one per adapter still to land: replace one mode's branch when its adapter lands.
    exchange = providers.Selector(
        mode, **{m: providers.Callable(_not_landed, m, "exchange") for m in MODES})
    market_feed = providers.Selector(
        mode, **{m: providers.Callable(_not_landed, m, "market feed") for m in MODES})
    model = providers.Selector(
        mode, **{m: providers.Callable(_not_landed, m, "model") for m in MODES})
    symbol_universe = providers.Selector(
        mode, **{m: providers.Callable(_not_landed, m, "symbol universe") for m in MODES})


def build_container(settings: Settings, mode: str) -> Container:
    """The object graph for one run. Nothing is built until asked for; nothing async is held."""
    if mode not in MODES:
        raise ConfigurationError(f"unknown mode {mode!r}: expected one of {', '.join(MODES)}")
    return Container(settings=settings, mode=mode)
