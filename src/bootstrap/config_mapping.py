"""Settings -> the trading loop's plain config (application.trading_config.LoopConfig).

The risk limits, signal thresholds and exit policy come from the container's mapping functions, so one
place turns settings into those values; this module only adds the loop's timings and execution costs.
Units are converted once here: seconds -> integer milliseconds, hours -> milliseconds.
"""

from __future__ import annotations

from application.trading_config import ExecutionConfig, LoopConfig
from bootstrap.container import exit_policy_from, signal_thresholds_from
from bootstrap.settings_model import Settings


def execution_config_from(settings: Settings) -> ExecutionConfig:
    execution = settings.execution
    return ExecutionConfig(
        taker_fee_rate=execution.effective_taker_fee, maker_fee_rate=execution.effective_maker_fee,
        maker_entries=execution.maker_entries, maker_take_profit=execution.maker_take_profit,
        maker_entry_timeout_ms=round(execution.maker_entry_timeout_seconds * 1000))


def loop_config_from_settings(settings: Settings, mode: str | None = None) -> LoopConfig:
    """The loop's config; `mode` (backtest, paper, live) defaults to `trading.mode`."""
    timing, trading = settings.timing, settings.trading
    return LoopConfig(
        thresholds=signal_thresholds_from(settings), exit_policy=exit_policy_from(settings),
        mode=mode or trading.mode, quote_asset=trading.quote_asset, symbols=tuple(trading.symbols),
        scan_interval_ms=round(timing.scan_interval_seconds * 1000),
        top_candidates=settings.scanner.top_candidates, max_symbols_active=trading.max_symbols_active,
        stats_interval_ms=round(timing.stats_interval_seconds * 1000),
        universe_refresh_ms=round(settings.scanner.refresh_symbols_hours * 3_600_000),
        execution=execution_config_from(settings))
