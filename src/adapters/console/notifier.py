"""Notifications through apprise (one URL per service: tgram://, discord://, slack://, mailto://, json://).

`notify()` only puts the message on a bounded queue and returns: a background task sends them one by one,
so a slow or dead service never blocks nor crashes the trading loop. A failure is logged once (then every
100th), never with the URL (it holds the service's token); a full queue drops the newest message.
"""

from __future__ import annotations

import asyncio
import contextlib

import apprise
from loguru import logger
from pydantic import SecretStr

QUEUE_SIZE = 100


class Notifier:
    def __init__(self, urls: tuple[SecretStr, ...], *, queue_size: int = QUEUE_SIZE) -> None:
        self._apprise = apprise.Apprise()
        for url in urls:
            if not self._apprise.add(url.get_secret_value()):
                logger.warning("notifications: one URL was refused by apprise (unknown service or malformed)")
        self._queue: asyncio.Queue[tuple[str, str]] = asyncio.Queue(queue_size)
        self._task: asyncio.Task[None] | None = None
        self.sent = self.failed = self.dropped = 0

    @property
    def enabled(self) -> bool:
        return len(self._apprise) > 0

    def notify(self, title: str, body: str) -> None:
        """Queue one message; never blocks, never raises."""
        if not self.enabled:
            return
        try:
            self._queue.put_nowait((title, body))
        except asyncio.QueueFull:
            self.dropped += 1

    async def start(self) -> None:
        if self.enabled and self._task is None:
            self._task = asyncio.create_task(self._send_forever(), name="notifier")

    async def stop(self, *, drain_sec: float = 5.0) -> None:
        """Send what is queued (the "stopped" notice) for up to `drain_sec`, then stop."""
        if self._task is None:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._queue.join(), drain_sec)
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None

    async def _send_forever(self) -> None:
        while True:
            title, body = await self._queue.get()
            try:
                ok = bool(await self._apprise.async_notify(body=body, title=title))
            except Exception as exc:  # a service library's bug must not end the notifier
                ok, why = False, type(exc).__name__
            else:
                why = "a service refused or could not be reached"
            finally:
                self._queue.task_done()
            if ok:
                self.sent += 1
                continue
            self.failed += 1
            if self.failed % 100 == 1:
                logger.warning("notification not delivered ({}); {} failure(s) so far", why, self.failed)
