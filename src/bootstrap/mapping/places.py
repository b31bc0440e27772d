"""Settings -> where things are: the state store per mode and account, the journals per mode, the market
URLs, the default data (cache, archive), and the days a user gives (YYYY-MM-DD -> UTC-midnight ms through
domain.time_units)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from adapters.history.data_source import DefaultData
from bootstrap.settings_model import Settings
from domain.time_units import day_start_ms
from ports.errors import ConfigurationError


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
