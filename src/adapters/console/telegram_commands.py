"""Telegram commands on python-telegram-bot, answering only the configured chat:

    /status /profit /daily /balance /stopentry /startentry /forceexit SYMBOL /stop

Long polling (no public URL needed). `base_url` points the library at another Bot API server (a local
fake in tests). The bot's token is part of the API's URLs: httpx's request log is silenced below INFO.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from loguru import logger
from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes, filters

from adapters.console.config import TelegramConfig
from adapters.console.telegram_text import balance_text, daily_text, profit_text, status_text
from ports.console import BotSnapshot, Console, UnknownPosition

Reply = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]

logging.getLogger("httpx").setLevel(logging.WARNING)  # it logs every URL, and the URL holds the token


class TelegramCommands:
    def __init__(self, console: Console, config: TelegramConfig, *, poll_timeout_sec: int = 10) -> None:
        self._console, self._poll_timeout = console, poll_timeout_sec
        self.app = (Application.builder().token(config.token.get_secret_value()).base_url(config.base_url)
                    .build())
        only_ours = filters.Chat(chat_id=config.chat_id)
        views: dict[str, Callable[[BotSnapshot], str]] = {
            "status": status_text, "profit": profit_text, "daily": daily_text, "balance": balance_text}
        for name, view in views.items():
            self.app.add_handler(CommandHandler(name, self._answer_with(view), filters=only_ours))
        controls: dict[str, Callable[[], str]] = {
            "stopentry": console.pause_entries, "startentry": console.resume_entries,
            "stop": console.stop_bot}
        for name, control in controls.items():
            self.app.add_handler(CommandHandler(name, self._control_with(control), filters=only_ours))
        self.app.add_handler(CommandHandler("forceexit", self._force_exit, filters=only_ours))

    async def start(self) -> None:
        try:
            await self.app.initialize()
            assert self.app.updater is not None
            await self.app.updater.start_polling(timeout=self._poll_timeout, drop_pending_updates=True,
                                                 error_callback=self._polling_failed)
            await self.app.start()
        except Exception as exc:  # no Telegram must not stop the bot
            logger.warning("Telegram commands unavailable: {}", type(exc).__name__)

    async def stop(self) -> None:
        try:
            if self.app.updater is not None and self.app.updater.running:
                await self.app.updater.stop()
            if self.app.running:
                await self.app.stop()
            await self.app.shutdown()
        except Exception as exc:
            logger.warning("Telegram commands did not stop cleanly: {}", type(exc).__name__)

    def _polling_failed(self, error: Exception) -> None:
        logger.warning("Telegram polling failed: {}", type(error).__name__)

    def _answer_with(self, view: Callable[[BotSnapshot], str]) -> Reply:
        async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            if update.effective_message is not None:
                await update.effective_message.reply_text(view(self._console.snapshot()))
        return answer

    def _control_with(self, control: Callable[[], str]) -> Reply:
        async def act(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            if update.effective_message is not None:
                await update.effective_message.reply_text(control())
        return act

    async def _force_exit(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_message is None:
            return
        if not context.args:
            await update.effective_message.reply_text("usage: /forceexit SYMBOL")
            return
        try:
            text = self._console.close_position(context.args[0])
        except UnknownPosition as exc:
            text = str(exc)
        await update.effective_message.reply_text(text)
