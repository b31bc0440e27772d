"""User data over the WebSocket API (binance-spot-api.md 5): the listenKey streams are gone since 2026.

One aiohttp connection to /ws-api/v3, `userDataStream.subscribe.signature` (HMAC, any key type), then
`{"subscriptionId":n,"event":{...}}` frames parsed into ExecutionUpdate / AccountUpdate / ListUpdate.
The connection is kept alive (aiohttp answers the server's pings); when it drops it is reopened and
re-subscribed: a UserStreamDown is queued when it drops (events may be lost from then on), a
UserStreamRestarted when it is back, so the consumer reconciles through REST.

Request weight (binance-spot-api.md 3): the WebSocket API shares the per-IP REQUEST_WEIGHT budget with
REST. Each connection costs 2 and the subscribe request 2; both are acquired from the bot's limiter before
they leave, and the `rateLimits` of the answer correct its count, as REST's headers do.
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
from adapters.binance.parse_user_events import ExecutionUpdate, ListUpdate, UserEvent, parse_user_event
from adapters.binance.rate_limiter import RateLimiter
from domain.order_events import (
    OrderChanged,
    OrderEvent,
    OrderListChanged,
    OrderStreamDown,
    OrderStreamRestarted,
)
from ports.errors import ExchangeError, ExchangeUnavailable, RateLimited

W_CONNECTION, W_SUBSCRIBE = 2, 2  # REQUEST_WEIGHT of a WebSocket API connection and of its subscribe


@dataclass(frozen=True, slots=True)
class UserStreamRestarted:
    """The user-data connection was re-established: events in between may be lost."""

    reconnects: int


@dataclass(frozen=True, slots=True)
class UserStreamDown:
    """The user-data connection dropped: events from now on may be lost until a UserStreamRestarted."""

    reason: str


StreamItem = UserEvent | UserStreamDown | UserStreamRestarted
QUEUE_LIMIT = 10_000


class UserDataStream:
    def __init__(self, url: str, api_key: SecretStr, api_secret: SecretStr, *,
                 timestamp_ms: Callable[[], int], recv_window: int = 5000, reconnect_delay: float = 0.5,
                 max_reconnect_delay: float = 30.0, heartbeat: float = 20.0,
                 limiter: RateLimiter | None = None) -> None:
        self._url, self._key, self._secret = url, api_key, api_secret
        self._timestamp_ms, self._recv_window = timestamp_ms, recv_window
        self._delay, self._max_delay, self._heartbeat = reconnect_delay, max_reconnect_delay, heartbeat
        self._limiter = limiter
        self._queue: asyncio.Queue[StreamItem] = asyncio.Queue(QUEUE_LIMIT)
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

    async def events(self) -> AsyncIterator[StreamItem]:
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
            await self._acquire(W_CONNECTION)
            self._socket = await self._session.ws_connect(self._url, heartbeat=self._heartbeat)
            self._next_id += 1
            request_id = f"uds-{self._next_id}"
            await self._acquire(W_SUBSCRIBE)
            sent_at = self._timestamp_ms()
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
        if self._limiter is not None:
            self._limiter.observe_rate_limits(reply.get("rateLimits"), sent_at_ms=sent_at)
        if reply.get("status") != 200:
            await self._socket.close()
            raise self._refusal(reply)

    async def _acquire(self, weight: int) -> None:
        if self._limiter is not None:
            await self._limiter.acquire(weight)

    def _refusal(self, reply: dict[str, object]) -> ExchangeError:
        """A refused subscribe as a port error; a 429/418 also holds the limiter (retryAfter: epoch ms)."""
        error = reply.get("error")
        error = error if isinstance(error, dict) else {}
        data = error.get("data")
        until = data.get("retryAfter") if isinstance(data, dict) else None
        retry_after = max(0.0, (int(until) - self._timestamp_ms()) / 1000) if isinstance(until, int) else None
        status = reply.get("status")
        port_error = to_port_error(status if isinstance(status, int) else None, error.get("code"),
                                   str(error.get("msg", reply)), retry_after=retry_after)
        if isinstance(port_error, RateLimited) and self._limiter is not None:
            (self._limiter.ban if port_error.banned else self._limiter.back_off)(port_error.retry_after)
        return port_error

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
            self._put(UserStreamDown("the user-data socket closed"))
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

    def _put(self, item: StreamItem) -> None:
        if self._queue.full():  # nobody reads: keep the newest
            self._queue.get_nowait()
            self.dropped += 1
        self._queue.put_nowait(item)


async def order_events(items: AsyncIterator[StreamItem]) -> AsyncIterator[OrderEvent]:
    """The stream in the core's terms (ports.order_events): order and list changes, down and back."""
    async for item in items:
        match item:
            case ExecutionUpdate():
                yield OrderChanged(item.report, item.execution_type, item.event_time_ms)
            case ListUpdate():
                yield OrderListChanged(item.symbol, item.order_list_id, item.list_client_id, item.status,
                                       item.order_ids, item.event_time_ms)
            case UserStreamDown():
                yield OrderStreamDown(item.reason)
            case UserStreamRestarted():
                yield OrderStreamRestarted(item.reconnects)
            case _:  # balances: the loop reads them through REST after a fill
                pass


async def never_up(reason: str) -> AsyncIterator[OrderEvent]:
    """No user-data stream at all (built without one): down for good, so the core keeps polling."""
    yield OrderStreamDown(reason)
    await asyncio.Event().wait()
