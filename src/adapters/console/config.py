"""The console's plain settings (bootstrap/mapping/console.py builds them from Settings)."""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import SecretStr


@dataclass(frozen=True, slots=True)
class NotifyConfig:
    urls: tuple[SecretStr, ...] = ()
    each_trade: bool = False
    daily_summary: bool = True
    repeated_errors: int = 5
    repeated_window_ms: int = 600_000


@dataclass(frozen=True, slots=True)
class TelegramConfig:
    token: SecretStr
    chat_id: int
    base_url: str = "https://api.telegram.org/bot"


@dataclass(frozen=True, slots=True)
class ConsoleConfig:
    token: SecretStr
    host: str = "127.0.0.1"
    port: int = 8780
    pulse_sec: float = 1.0  # how often the snapshot is taken, pushed to the dashboards and the metrics
    notify: NotifyConfig = field(default_factory=NotifyConfig)
    telegram: TelegramConfig | None = None
