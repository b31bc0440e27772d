"""Settings -> the console's values: its server and notifications (refused without their tokens), its
staleness limits, and the venue its header names."""

from __future__ import annotations

from adapters.console.config import ConsoleConfig, NotifyConfig, TelegramConfig
from application.console_state import ConsoleLimits
from bootstrap.settings_model import Settings
from ports.errors import ConfigurationError


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
