"""The settings of running the bot and its lab rather than of trading: the durable state store and its
recovery policies, the operator's console with its notifications and Telegram, the lab's gate and the
retraining schedule. Sections of `Settings` (settings_model.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr

from bootstrap.settings_section import Section


class StateSettings(Section):
    """The durable state store (issue 14, one file per mode and account) and the recovery policies."""

    dir: Path = Path("state")
    naked_holdings: Literal["protect", "sell", "leave"] = "protect"  # bought by the bot, found unprotected
    unrecorded_holdings: Literal["protect", "sell", "leave"] = "leave"  # coins without any record
    orphan_orders: Literal["adopt", "cancel"] = "adopt"  # the bot's orders no stored position owns


class NotificationSettings(Section):
    urls: list[SecretStr] = Field(default_factory=list)  # apprise URLs (tgram://, discord://, json://...)
    each_trade: bool = False
    daily_summary: bool = True
    repeated_errors: int = Field(default=5, ge=1)  # this many ERROR lines within 10 minutes: one notice


class TelegramSettings(Section):
    enabled: bool = False
    token: SecretStr | None = None  # TELEGRAM_BOT_TOKEN
    chat_id: int | None = None  # the only chat the bot answers
    base_url: str = "https://api.telegram.org/bot"


class ConsoleSettings(Section):
    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = Field(default=8780, ge=0, le=65535)
    token: SecretStr | None = None  # CRYPTOSCALPER_CONSOLE_TOKEN: every call needs it
    stale_after_seconds: float = Field(default=30.0, gt=0)
    stall_after_seconds: float = Field(default=60.0, gt=0)
    notifications: NotificationSettings = NotificationSettings()
    telegram: TelegramSettings = TelegramSettings()


class ResearchGateSettings(Section):
    """A model trades only with out-of-time evidence (holdout or retrain) that clears these."""

    min_dsr: float = Field(default=0.95, ge=0, le=1)  # deflated Sharpe ratio, at least
    max_pbo: float = Field(default=0.2, ge=0, le=1)  # probability of backtest overfitting, at most


class RetrainSettings(Section):
    train_days: float = Field(default=28.0, gt=0)  # the challenger's training window (validation inside)
    test_days: float = Field(default=7.0, gt=0)  # the newest window both models are compared on
    embargo_minutes: int = Field(default=60, ge=0)  # the test window's first minutes are not traded
    min_trades: int = Field(default=30, ge=1)  # a challenger with fewer test trades is never promoted
    models_dir: Path = Path("models/onnx")
    archive_dir: Path = Path("models/archive")
    report_dir: Path = Path("reports/retrain")


class ResearchSettings(Section):
    gate: ResearchGateSettings = ResearchGateSettings()
    retrain: RetrainSettings = RetrainSettings()
