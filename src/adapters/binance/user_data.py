"""User data over the WebSocket API (binance-spot-api.md 5): the listenKey streams are gone since 2026.

One aiohttp connection to /ws-api/v3, `userDataStream.subscribe.signature` (HMAC, any key type), then
`{"subscriptionId":n,"event":{...}}` frames parsed into ExecutionUpdate / AccountUpdate / ListUpdate.
The connection is kept alive (aiohttp answers the server's pings); when it drops it is reopened and
re-subscribed, and a UserStreamRestarted is queued so the consumer reconciles through REST.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from urllib.parse import urlencode

import aiohttp
from loguru import logger
from pydantic import SecretStr

from adapters.binance.errors import to_port_error
from adapters.binance.parse_orders import PayloadError
from adapters.binance.parse_user_events import UserEvent, parse_user_event
from ports.errors import ExchangeError, ExchangeUnavailable


@dataclass(frozen=True, slots=True)
class UserStreamRestarted:
    """The user-data connection was re-established: events in between may be lost."""

    reconnects: int


QUEUE_LIMIT = 10_000


class UserDataStream:
    def __init__(self, url: str, api_key: SecretStr, api_secret: SecretStr, *,
                 timestamp_ms: Callable[[], int], recv_window: int = 5000, reconnect_delay: float = 0.5,
                 max_reconnect_delay: float = 30.0, heartbeat: float = 20.0) -> None:
        self._url, self._key, self._secret = url, api_key, api_secret
        self._timestamp_ms, self._recv_window = timestamp_ms, recv_window
        self._delay, self._max_delay, self._heartbeat = reconnect_delay, max_reconnect_delay, heartbeat
        self._queue: asyncio.Queue[UserEvent | UserStreamRestarted] = asyncio.Queue(QUEUE_LIMIT)
        self._session: aiohttp.ClientSession | None = None
        self._socket: aiohttp.ClientWebSocketResponse | None = None
        self._reader: asyncio.Task[None] | None = None
        self._next_id = 0
        self.reconnects = 0
        self.dropped = 0  # malformed or overflowing events

    async def start(self) -> None:
        self._session = aiohttp.ClientSession()
        try:
            await self._connect()
        except BaseException:
            await self.stop()
            raise
        self._reader = asyncio.create_task(self._read_forever(), name="binance-user-data")

    async def stop(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
            self._reader = None
        if self._socket is not None:
            await self._socket.close()
            self._socket = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def events(self) -> AsyncIterator[UserEvent | UserStreamRestarted]:
        while True:
            yield await self._queue.get()

    def _signed_params(self) -> dict[str, str | int]:
        params: dict[str, str | int] = {"apiKey": self._key.get_secret_value(),
                                        "recvWindow": self._recv_window, "timestamp": self._timestamp_ms()}
        payload = urlencode(sorted(params.items()))
        signature = hmac.new(self._secret.get_secret_value().encode(), payload.encode(), hashlib.sha256)
        return {**params, "signature": signature.hexdigest()}

    async def _connect(self) -> None:
        assert self._session is not None
        try:
            self._socket = await self._session.ws_connect(self._url, heartbeat=self._heartbeat)
            self._next_id += 1
            request_id = f"uds-{self._next_id}"
            await self._socket.send_json({"id": request_id, "method": "userDataStream.subscribe.signature",
                                          "params": self._signed_params()})
            async with asyncio.timeout(10):
                while True:
                    message = await self._socket.receive()
                    if message.type is not aiohttp.WSMsgType.TEXT:
                        raise ExchangeUnavailable(
                            f"user-data socket closed during subscribe ({message.type.name})")
                    reply = json.loads(message.data)
                    if reply.get("id") == request_id:
                        break
                    self._dispatch(reply)
        except (aiohttp.ClientError, TimeoutError, OSError, ValueError) as exc:
            raise ExchangeUnavailable(f"user-data stream {self._url}: {type(exc).__name__}: {exc}") from None
        if reply.get("status") != 200:
            error = reply.get("error") or {}
            raise to_port_error(reply.get("status"), error.get("code"), str(error.get("msg", reply)))

    async def _read_forever(self) -> None:
        delay = self._delay
        while True:
            assert self._socket is not None
            async for message in self._socket:
                if message.type is aiohttp.WSMsgType.TEXT:
                    self._dispatch_text(message.data)
                    delay = self._delay
                elif message.type in (aiohttp.WSMsgType.ERROR, aiohttp.WSMsgType.CLOSE):
                    break
            logger.warning("user-data stream dropped; reconnecting in {:.1f} s", delay)
            while True:
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._max_delay)
                try:
                    await self._connect()
                    break
                except ExchangeError as exc:
                    logger.warning("user-data stream reconnect failed: {}", exc)
            self.reconnects += 1
            self._put(UserStreamRestarted(self.reconnects))

    def _dispatch_text(self, text: str) -> None:
        try:
            self._dispatch(json.loads(text))
        except (ValueError, TypeError) as exc:
            self.dropped += 1
            logger.warning("user-data message dropped: {}: {}", type(exc).__name__, str(text)[:200])

    def _dispatch(self, frame: dict[str, object]) -> None:
        event = frame.get("event")
        if not isinstance(event, dict):
            if frame.get("status") == 401:  # key invalidated while connected
                logger.error("user-data stream: API key rejected: {}", frame.get("error"))
            return
        try:
            parsed = parse_user_event(event)
        except PayloadError as exc:
            self.dropped += 1
            logger.warning("user-data event dropped: {}", exc)
            return
        if parsed is not None:
            self._put(parsed)

    def _put(self, item: UserEvent | UserStreamRestarted) -> None:
        if self._queue.full():  # nobody reads: keep the newest
            self._queue.get_nowait()
            self.dropped += 1
        self._queue.put_nowait(item)
