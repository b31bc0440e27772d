"""Settings -> the plain values the core reads: every conversion exists here once.

Units are converted once, here: seconds and hours -> integer milliseconds, basis points -> fractions,
days (YYYY-MM-DD) -> ms through domain.time_units. Naming, where a value holds both kinds: `*_pct` is a
fraction (0.004 = 0.4%) and `*_percent` a percent (SignalThresholds, TradingStats). The config keys keep
the specification's names (documented in config/default.yaml); this module renames them. Fees come from
`ExecutionSettings.fees` (domain.fees.FeeSchedule), where the BNB discount is applied, and only there.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from adapters.console.config import ConsoleConfig, NotifyConfig, TelegramConfig
from adapters.history.data_source import DefaultData
from adapters.simulated.costs import SimulatorCosts
from application.console_state import ConsoleLimits
from application.trading_config import (
    ExecutionConfig,
    HoldingPolicy,
    LoopConfig,
    OrphanOrderPolicy,
    RecoveryConfig,
)
from bootstrap.settings_model import ExecutionSettings, Settings
from domain.fees import FeeSchedule
from domain.model_health import HealthBounds
from domain.outcome import ExitRules, TradeCosts
from domain.position import ExitPolicy
from domain.risk import RiskLimits
from domain.scanner_rules import ScannerRules
from domain.signal import SignalThresholds
from domain.symbol_costs import SymbolCosts
from domain.time_units import HOUR_MS, day_start_ms
from ports.errors import ConfigurationError


def trade_costs(settings: Settings, *, bnb: bool | None = None, symbol: str | None = None) -> TradeCosts:
    """What one simulated trade pays (training labels, research): effective fees and slippage; with
    `symbol`, at that symbol's rates in the fee table (execution.symbol_fees)."""
    e = settings.execution
    own = e.fees if symbol is None else e.fee_table.for_symbol(symbol)
    return _priced(e, own if bnb is None else own.with_bnb(bnb))


def symbol_trade_costs(settings: Settings, *, bnb: bool | None = None) -> SymbolCosts:
    """trade_costs with each symbol of execution.symbol_fees at its own rates (priced alike); without such
    symbols every trade pays exactly trade_costs'."""
    e = settings.execution
    table = e.fee_table if bnb is None else e.fee_table.with_bnb(bnb)
    return SymbolCosts(_priced(e, table.default), {s: _priced(e, f) for s, f in table.symbols.items()})


def _priced(e: ExecutionSettings, fees: FeeSchedule) -> TradeCosts:
    taker, maker = fees.effective_taker, fees.effective_maker
    return TradeCosts(entry_fee=taker, take_profit_fee=maker if e.maker_take_profit else taker,
                      exit_fee=taker, slippage_pct=e.slippage_bps / 10_000)


def risk_limits_from(settings: Settings) -> RiskLimits:
    risk = settings.risk
    return RiskLimits(
        initial_capital=risk.initial_capital, max_position_pct=risk.max_position_pct,
        min_position_usdt=risk.min_position_usdt, max_loss_per_trade_pct=risk.max_loss_per_trade_pct,
        max_daily_loss_pct=risk.max_daily_loss_pct, max_drawdown_pct=risk.max_drawdown_pct,
        max_open_positions=risk.max_open_positions, max_trades_per_hour=risk.max_trades_per_hour,
        max_trades_per_day=risk.max_trades_per_day, cooldown_ms=risk.cooldown_seconds * 1000,
        quote_asset=settings.trading.quote_asset)


def expected_return_margin(settings: Settings, model_gate_pct: float | None) -> float | None:
    """The EV gate's margin (percent): the settings' margin, raised (never lowered) to the model's own
    gate fitted on validation; None when the gate is disabled in the settings."""
    signal = settings.signal
    if not signal.ev_gate_enabled:
        return None
    if model_gate_pct is None:
        return signal.min_expected_net_return_pct
    return max(signal.min_expected_net_return_pct, model_gate_pct)


EV_GATE_OVERRIDDEN = "EV GATE OVERRIDDEN: trading without an edge, for rehearsal only"
EV_GATE_FLAG_NOTE = "EV gate overridden (--ignore-edge-gate)"


def without_edge_gate(settings: Settings) -> Settings:
    """`--ignore-edge-gate` (paper and backtest; live refuses it): this run's settings with the EV gate
    off, so every mapping below, the container's loop config included, follows from the settings."""
    signal = settings.signal.model_copy(update={"ev_gate_enabled": False})
    return settings.model_copy(update={"signal": signal})


def ev_gate_state(settings: Settings, *, overridden: bool = False) -> str:
    """How this run treats the EV gate, in words for reports (summary.json's `ev_gate`)."""
    if overridden:
        return "overridden (--ignore-edge-gate)"
    return "on" if settings.signal.ev_gate_enabled else "off (signal.ev_gate_enabled: false)"


def signal_thresholds_from(settings: Settings, model_gate_pct: float | None = None) -> SignalThresholds:
    signal, risk = settings.signal, settings.risk
    return SignalThresholds(
        min_probability=signal.min_probability, min_confidence=signal.min_confidence,
        min_predicted_move_percent=signal.min_predicted_move_pct, stop_loss_pct=risk.default_stop_loss_pct,
        take_profit_pct=risk.default_take_profit_pct, max_position_pct=risk.max_position_pct,
        min_expected_net_return_percent=expected_return_margin(settings, model_gate_pct))


def scanner_rules_from(settings: Settings) -> ScannerRules:
    scanner, alerts = settings.scanner, settings.scanner.alerts
    return ScannerRules(
        min_volume_24h=scanner.min_volume_24h, max_spread_pct=scanner.max_spread_pct,
        volume_spike_ratio=alerts.volume_spike_ratio, momentum_threshold_pct=alerts.momentum_threshold_pct,
        breakout_distance_pct=alerts.breakout_distance_pct, reversal_drop_pct=alerts.reversal_drop_pct)


def exit_policy_from(settings: Settings) -> ExitPolicy:
    risk = settings.risk
    return ExitPolicy(
        take_profit_pct=risk.default_take_profit_pct, stop_loss_pct=risk.default_stop_loss_pct,
        timeout_sec=settings.timing.position_timeout_seconds,
        trailing_activation_pct=risk.trailing_activation_pct if risk.trailing_stop_enabled else None,
        trailing_distance_pct=risk.trailing_distance_pct, min_hold_sec=risk.min_hold_seconds)


def exit_rules_from(settings: Settings) -> ExitRules:
    """The settings' exit policy in whole bars, as domain.outcome simulates it (research, labels)."""
    risk = settings.risk
    return ExitRules(take_profit_pct=risk.default_take_profit_pct, stop_loss_pct=risk.default_stop_loss_pct,
                     timeout_bars=max(1, settings.timing.position_timeout_seconds // 60),
                     trailing_activation_pct=risk.trailing_activation_pct if risk.trailing_stop_enabled
                     else None, trailing_distance_pct=risk.trailing_distance_pct,
                     min_hold_bars=risk.min_hold_seconds // 60)


def execution_config_from(settings: Settings) -> ExecutionConfig:
    execution = settings.execution
    return ExecutionConfig(
        taker_fee_rate=execution.fees.effective_taker, maker_fee_rate=execution.fees.effective_maker,
        maker_entries=execution.maker_entries, maker_take_profit=execution.maker_take_profit,
        maker_entry_timeout_ms=round(execution.maker_entry_timeout_seconds * 1000),
        fees=execution.fee_table)


def loop_config_from(settings: Settings, mode: str | None = None,
                     model_gate_pct: float | None = None) -> LoopConfig:
    """The loop's config; `mode` (backtest, paper, live) defaults to `trading.mode`."""
    timing, trading = settings.timing, settings.trading
    return LoopConfig(
        thresholds=signal_thresholds_from(settings, model_gate_pct), exit_policy=exit_policy_from(settings),
        mode=mode or trading.mode, quote_asset=trading.quote_asset, symbols=tuple(trading.symbols),
        scan_interval_ms=round(timing.scan_interval_seconds * 1000),
        top_candidates=settings.scanner.top_candidates, max_symbols_active=trading.max_symbols_active,
        stats_interval_ms=round(timing.stats_interval_seconds * 1000),
        universe_refresh_ms=round(settings.scanner.refresh_symbols_hours * HOUR_MS),
        execution=execution_config_from(settings),
        recovery=recovery_config_from(settings, mode or trading.mode),
        model_health=model_health_from(settings, mode or trading.mode))


def model_health_from(settings: Settings, mode: str) -> HealthBounds | None:
    """None (not watched) when disabled, and in backtests: a replay's trades must not depend on it."""
    health = settings.model_health
    if not health.enabled or mode == "backtest":
        return None
    return HealthBounds(min_trades=health.min_trades, window=health.window,
                        max_shortfall_pct=health.max_shortfall_pct, t_bound=health.t_bound,
                        psi_bound=health.psi_bound, drift_rows=health.drift_rows,
                        drift_sample_ms=round(health.drift_sample_seconds * 1000),
                        drift_features=tuple(health.drift_features))


def recovery_config_from(settings: Settings, mode: str) -> RecoveryConfig:
    state = settings.state
    return RecoveryConfig(naked_holdings=HoldingPolicy(state.naked_holdings),
                          unrecorded_holdings=HoldingPolicy(state.unrecorded_holdings),
                          orphan_orders=OrphanOrderPolicy(state.orphan_orders),
                          exchange_remembers=mode != "paper")


def account_tag(settings: Settings) -> str:
    """Which account a live store belongs to, without naming the key: a digest of the venue and the key."""
    b = settings.binance
    key, url = (b.testnet_api_key, b.testnet_rest_url) if b.testnet else (b.api_key, b.rest_url)
    secret = key.get_secret_value() if key is not None else ""
    return hashlib.sha256(f"{url}|{secret}".encode()).hexdigest()[:12]


def state_path(settings: Settings, mode: str) -> Path | None:
    """One store per mode and account (state/paper.sqlite, state/live-<account>.sqlite), none in backtests."""
    if mode == "paper":
        return settings.state.dir / "paper.sqlite"
    if mode == "live":
        return settings.state.dir / f"live-{account_tag(settings)}.sqlite"
    return None


def paper_simulator_costs(settings: Settings) -> SimulatorCosts:
    """Paper pays fees as Binance would: in BNB at a discount when it holds BNB and the option is on."""
    execution = settings.execution
    return SimulatorCosts.from_rates(
        taker_fee=execution.taker_fee_rate, maker_fee=execution.maker_fee_rate,
        bnb_discount=execution.bnb_fee_discount, slippage_bps=execution.slippage_bps,
        latency_ms=execution.latency_ms, seed=execution.seed,
        symbol_fees={s: (f.taker, f.maker) for s, f in execution.symbol_fees.items()})


def backtest_simulator_costs(settings: Settings) -> SimulatorCosts:
    """A backtest applies the BNB discount to the rates (fees still taken in the received asset), so it
    needs no BNB balance nor BNB price."""
    execution = settings.execution
    own = execution.fee_table.symbols
    return SimulatorCosts.from_rates(
        taker_fee=execution.fees.effective_taker, maker_fee=execution.fees.effective_maker,
        slippage_bps=execution.slippage_bps, latency_ms=execution.latency_ms, seed=execution.seed,
        symbol_fees={s: (f.effective_taker, f.effective_maker) for s, f in own.items()})


def day_ms(text: str, *, option: str) -> int:
    """A day the user gave (`option` names where) as UTC-midnight ms; ConfigurationError when malformed."""
    try:
        return day_start_ms(text)
    except ValueError as exc:
        raise ConfigurationError(f"{option} = {exc}") from None


def backtest_start_ms(settings: Settings) -> int:
    """Where the replay clock starts: backtest.start (UTC midnight), else 0 (the first event moves it)."""
    start = settings.backtest.start
    return 0 if start is None else day_ms(start, option="backtest.start")


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


def market_urls(settings: Settings, mode: str) -> tuple[str, str]:
    """(WebSocket base, REST base) of the market data: production for paper, live per binance.testnet."""
    b = settings.binance
    if mode == "live" and b.testnet:
        return b.testnet_ws_url, b.testnet_rest_url
    return b.ws_url, b.rest_url


def default_data_from(settings: Settings) -> DefaultData:
    data = settings.data
    return DefaultData(cache_dir=data.cache_dir, archive_base_url=data.archive_base_url,
                       rest_base_url=data.rest_base_url, download_workers=data.download_workers,
                       top_pairs=data.default_top_pairs, days=data.default_days)


def console_config_from(settings: Settings) -> ConsoleConfig | None:
    """The console's values; None when it is off. ConfigurationError when it is on without its token (or
    Telegram on without its token or chat id)."""
    console = settings.console
    if not console.enabled:
        return None
    if console.token is None or not console.token.get_secret_value():
        raise ConfigurationError("console.enabled needs a token: set CRYPTOSCALPER_CONSOLE_TOKEN")
    notify = console.notifications
    telegram = None
    if console.telegram.enabled:
        t = console.telegram
        if t.token is None or not t.token.get_secret_value() or t.chat_id is None:
            raise ConfigurationError("console.telegram.enabled needs TELEGRAM_BOT_TOKEN and "
                                     "console.telegram.chat_id")
        telegram = TelegramConfig(token=t.token, chat_id=t.chat_id, base_url=t.base_url)
    return ConsoleConfig(token=console.token, host=console.host, port=console.port, telegram=telegram,
                         notify=NotifyConfig(urls=tuple(notify.urls), each_trade=notify.each_trade,
                                             daily_summary=notify.daily_summary,
                                             repeated_errors=notify.repeated_errors))


def console_limits_from(settings: Settings) -> ConsoleLimits:
    console = settings.console
    return ConsoleLimits(stale_after_ms=round(console.stale_after_seconds * 1000),
                         stall_after_ms=round(console.stall_after_seconds * 1000))


def venue_label(settings: Settings, mode: str, venue_url: str | None = None) -> str:
    """What the console's header says the bot trades on: PRODUCTION, TESTNET, PAPER or VENUE <url>."""
    if venue_url:
        return f"VENUE {venue_url}"
    if mode == "paper":
        return "PAPER"
    return "TESTNET" if settings.binance.testnet else "PRODUCTION"
