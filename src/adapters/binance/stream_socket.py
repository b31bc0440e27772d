"""The combined-stream WebSocket itself: open it, send paced SUBSCRIBE/UNSUBSCRIBE, close it.

aiohttp answers the server's pings (autoping) while the feed reads; control messages go out at most
`control_per_sec` a second in batches of `params_per_message` streams.
"""

from __future__ import annotations

import aiohttp
from loguru import logger

from adapters.binance.backoff import MessagePacer
from adapters.binance.feed_stats import FeedCounters
from adapters.binance.stream_names import batches
from ports.clock import Clock

MAX_FRAME_BYTES = 16 * 1024 * 1024


class StreamSocket:
    def __init__(self, url: str, clock: Clock, counters: FeedCounters, *, control_per_sec: int = 4,
                 params_per_message: int = 100) -> None:
        if control_per_sec > 5:
            raise ValueError("Binance drops a connection sending over 5 messages a second: control rate <= 5")
        base = url.rstrip("/")
        self.url = base if base.endswith("/stream") else base + "/stream"
        self._pacer = MessagePacer(clock, per_window=control_per_sec)
        self._params_per_message = params_per_message
        self._counters = counters
        self._next_id = 0
        self.ws: aiohttp.ClientWebSocketResponse | None = None

    @property
    def closed(self) -> bool:
        return self.ws is None or self.ws.closed

    async def open(self, session: aiohttp.ClientSession) -> None:
        self.ws = await session.ws_connect(self.url, autoping=True, heartbeat=None,
                                           max_msg_size=MAX_FRAME_BYTES)

    async def close(self) -> None:
        if self.ws is not None and not self.ws.closed:
            await self.ws.close()

    async def control(self, method: str, streams: list[str]) -> bool:
        """SUBSCRIBE/UNSUBSCRIBE in paced batches; False when the socket is gone (the reconnection will
        subscribe everything again)."""
        for params in batches(streams, self._params_per_message):
            await self._pacer.acquire()
            ws = self.ws
            if ws is None or ws.closed:
                return False
            self._next_id += 1
            try:
                await ws.send_json({"method": method, "params": params, "id": self._next_id})
            except (aiohttp.ClientError, ConnectionError, RuntimeError) as exc:
                logger.info("market feed: {} not sent ({!r}); the reconnection will resubscribe", method, exc)
                return False
            self._counters.control_messages += 1
        return True
