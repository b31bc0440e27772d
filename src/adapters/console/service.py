"""The console beside the trading loop: the web server, a pulse that takes one snapshot a second (for
the open dashboards, the metrics and the notifications), the notifier, and the Telegram commands.

It shares the loop's asyncio event loop and never awaits anything the loop waits on: a snapshot is a few
hundred microseconds once a second, controls only set flags the loop honours between two steps. A
failure of the console is logged and leaves the trading alone.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from types import TracebackType
from typing import Any, Self

from aiohttp import web
from loguru import logger

from adapters.console.config import ConsoleConfig
from adapters.console.events import EventWatch
from adapters.console.metrics import ConsoleMetrics
from adapters.console.notifier import Notifier
from adapters.console.web import ConsoleWeb
from domain.position import CompletedTrade
from ports.clock import Clock
from ports.console import BotSnapshot, Console
from ports.errors import ConfigurationError


class ConsoleService:
    def __init__(self, console: Console, config: ConsoleConfig, clock: Clock, *,
                 weight_used: Callable[[], int | None] | None = None,
                 metrics: ConsoleMetrics | None = None) -> None:
        self._console, self._config, self._clock, self._weight_used = console, config, clock, weight_used
        self.metrics = metrics if metrics is not None else ConsoleMetrics()
        self.notifier = Notifier(config.notify.urls)
        self.events = EventWatch(self.notifier.notify, config.notify)
        self.web = ConsoleWeb(console, config.token, metrics_text=self.metrics.text)
        self._runner: web.AppRunner | None = None
        self._pulse: asyncio.Task[None] | None = None
        self._sink_id: int | None = None
        self._telegram: Any = None
        self.port = config.port
        self.last: BotSnapshot | None = None

    def on_trade(self, trade: CompletedTrade) -> None:
        """A trade was journaled (RecentTrades' listener): counted now, told if each trade is."""
        self.metrics.on_trade(trade)
        self.events.on_trade(trade)

    async def __aenter__(self) -> Self:
        self._runner = web.AppRunner(self.web.app, access_log=None)  # a URL may carry the token once
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._config.host, self._config.port)
        try:
            await site.start()
        except OSError as exc:  # the port is taken, the host is not ours: one line, before trading
            await self._runner.cleanup()
            where = f"{self._config.host}:{self._config.port}"
            raise ConfigurationError(f"console cannot listen on {where} ({exc.strerror or exc}); change "
                                     "console.port or console.host") from None
        server = getattr(site, "_server", None)
        if server is not None and server.sockets:
            self.port = server.sockets[0].getsockname()[1]
        self._sink_id = logger.add(self._on_log_error, level="ERROR", format="{message}", catch=True)
        await self.notifier.start()
        if self._config.telegram is not None:
            from adapters.console.telegram_commands import TelegramCommands
            self._telegram = TelegramCommands(self._console, self._config.telegram)
            await self._telegram.start()
        self._pulse = asyncio.create_task(self._beat(), name="console-pulse")
        logger.info("Console on http://{}:{}/ (token from CRYPTOSCALPER_CONSOLE_TOKEN){}", self._config.host,
                    self.port, f"; {len(self._config.notify.urls)} notification URL(s)"
                    if self._config.notify.urls else "")
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        if self._pulse is not None:
            self._pulse.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pulse
        with contextlib.suppress(Exception):
            self.events.final(self._console.snapshot())
        if self._telegram is not None:
            await self._telegram.stop()
        if self._sink_id is not None:
            logger.remove(self._sink_id)
        await self.notifier.stop()
        if self._runner is not None:
            await self._runner.cleanup()

    def beat(self) -> BotSnapshot:
        """One pulse: snapshot -> metrics, notifications, dashboards."""
        snapshot = self._console.snapshot()
        self.last = snapshot
        self.metrics.update(snapshot, self._weight_used() if self._weight_used is not None else None)
        self.events.on_snapshot(snapshot)
        self.web.publish(snapshot)
        return snapshot

    async def _beat(self) -> None:
        while True:
            try:
                self.beat()
            except Exception:  # the console must never take the bot down
                logger.opt(exception=True).warning("console pulse failed")
            await asyncio.sleep(self._config.pulse_sec)

    def _on_log_error(self, message: Any) -> None:
        record = message.record
        exception = record["exception"]
        kind = exception.type.__name__ if exception is not None and exception.type is not None \
            else record["name"] or "unknown"
        self.metrics.on_error(kind)
        self.events.on_error(self._clock.now_ms(), record["message"])
