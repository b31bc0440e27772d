"""The venue's market-stream WebSocket server: `/stream`, `/stream?streams=a/b`, `/ws`, `/ws/a/b`.

Like Binance: control messages (control.py), combined `{"stream", "data"}` or raw payloads, a ping
every `ping_interval_sec` whose pong must come back within `pong_timeout_sec`, a disconnect above
`max_incoming_per_sec` incoming frames (text, ping and pong all count), and the cut of every connection
`max_connection_age_ms` of simulated time after it opened. One replay task sends the frames of all
connections each tick (replay.py).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from contextlib import suppress
from dataclasses import dataclass, field

from aiohttp import WSCloseCode, WSMsgType, web
from loguru import logger

from adapters.simulated.venue.control import Subscriptions, handle_control
from adapters.simulated.venue.replay import ReplayFrames
from adapters.simulated.venue.state import VenueState


@dataclass(eq=False, slots=True)
class Connection:
    ws: web.WebSocketResponse
    request: web.Request
    subs: Subscriptions
    opened_sim_ms: int
    last_ping_real: float
    pending_pings: dict[bytes, float] = field(default_factory=dict)
    incoming: deque[float] = field(default_factory=deque)
    closing: bool = False


class StreamHub:
    def __init__(self, state: VenueState) -> None:
        self._state = state
        self._replay = ReplayFrames(state)
        self.connections: set[Connection] = set()
        self._closers: set[asyncio.Task[None]] = set()
        state.faults.attach(self)

    def now_ms(self) -> int:
        return self._state.clock.now_ms()

    # -- one client ----------------------------------------------------------------------------------------
    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=False, timeout=1.0, max_msg_size=1 << 20)
        await ws.prepare(request)
        combined = request.path.startswith("/stream")
        subs = Subscriptions(combined=combined, max_streams=self._state.config.max_streams)
        initial = request.query.get("streams", "") if combined else request.match_info.get("streams", "")
        subs.add_initial(s for s in initial.split("/") if s)
        conn = Connection(ws, request, subs, self.now_ms(), time.monotonic())
        self.connections.add(conn)
        self._state.stats.connections_opened += 1
        try:
            async for message in ws:
                if not self._within_rate(conn):
                    self._close(conn, "too many messages", WSCloseCode.POLICY_VIOLATION)
                    break
                if message.type is WSMsgType.TEXT:
                    self._state.stats.control_messages += 1
                    await ws.send_json(handle_control(subs, message.data))
                elif message.type is WSMsgType.PING:
                    await ws.pong(message.data)
                elif message.type is WSMsgType.PONG:
                    self._on_pong(conn, bytes(message.data))
                elif message.type is WSMsgType.BINARY:
                    await ws.send_json({"error": {"code": 3, "msg": "Invalid JSON: binary frame"},
                                        "id": None})
        except (ConnectionResetError, RuntimeError):
            pass
        finally:
            self.connections.discard(conn)
        return ws

    def _within_rate(self, conn: Connection) -> bool:
        now = time.monotonic()
        conn.incoming.append(now)
        while conn.incoming and conn.incoming[0] <= now - 1.0:
            conn.incoming.popleft()
        return len(conn.incoming) <= self._state.config.max_incoming_per_sec

    def _on_pong(self, conn: Connection, payload: bytes) -> None:
        sent = conn.pending_pings.get(payload)
        if sent is None:
            return  # unsolicited pong: allowed, but it does not keep the connection alive
        self._state.stats.pongs_received += 1
        conn.pending_pings = {p: t for p, t in conn.pending_pings.items() if t > sent}

    def _close(self, conn: Connection, reason: str, code: int = WSCloseCode.GOING_AWAY) -> None:
        if conn.closing:
            return
        conn.closing = True
        self._state.stats.closed_by_server[reason] += 1
        logger.debug("venue: closing a stream connection: {}", reason)
        task = asyncio.get_running_loop().create_task(self._close_socket(conn, code, reason))
        self._closers.add(task)
        task.add_done_callback(self._closers.discard)

    @staticmethod
    async def _close_socket(conn: Connection, code: int, reason: str) -> None:
        with suppress(ConnectionResetError, RuntimeError):
            await conn.ws.close(code=code, message=reason.encode())

    # -- the replay loop ------------------------------------------------------------------------------------
    async def run(self) -> None:
        while True:
            await asyncio.sleep(self._state.config.tick_sec)
            try:
                await self.tick()
            except Exception:  # a bad tick must not stop the venue
                logger.exception("venue: replay tick failed")

    async def tick(self) -> None:
        now = self.now_ms()
        await self._keepalive(now)
        live = [c for c in self.connections if not c.closing and not c.ws.closed]
        wanted = set().union(*(c.subs.streams for c in live)) if live else set()
        frames = self._replay.frames(wanted, now)
        if not frames:
            return
        wrapped = {s: [f'{{"stream":"{s}","data":{p}}}' for p in texts] for s, texts in frames.items()}
        for conn in live:
            chosen = wrapped if conn.subs.combined else frames
            for stream in conn.subs.streams & chosen.keys():
                for text in chosen[stream]:
                    await self._send(conn, text)

    async def _send(self, conn: Connection, text: str, *, binary: bool = False) -> bool:
        try:
            if binary:
                await conn.ws.send_bytes(text.encode())
            else:
                await conn.ws.send_str(text)
        except (ConnectionResetError, RuntimeError):
            conn.closing = True
            return False
        self._state.stats.frames_sent += 1
        return True

    async def _keepalive(self, now: int) -> None:
        config = self._state.config
        real = time.monotonic()
        for conn in list(self.connections):
            if conn.closing:
                continue
            if now - conn.opened_sim_ms >= config.max_connection_age_ms:
                self._close(conn, "24 h connection limit")
            elif conn.pending_pings and real - min(conn.pending_pings.values()) > config.pong_timeout_sec:
                self._close(conn, "pong timeout")
            elif real - conn.last_ping_real >= config.ping_interval_sec:
                payload = str(now).encode()
                conn.last_ping_real = real
                conn.pending_pings[payload] = real
                try:
                    await conn.ws.ping(payload)
                    self._state.stats.pings_sent += 1
                except (ConnectionResetError, RuntimeError):
                    conn.closing = True

    # -- fault hooks (faults.StreamControl) ---------------------------------------------------------------
    async def broadcast(self, text: str, *, binary: bool = False) -> int:
        sent = 0
        for conn in list(self.connections):
            if not conn.closing and await self._send(conn, text, binary=binary):
                sent += 1
        return sent

    async def drop_all(self) -> int:
        """Cut every socket at the TCP level, no close frame: what a network failure looks like."""
        dropped = 0
        for conn in list(self.connections):
            transport = conn.request.transport
            conn.closing = True
            self._state.stats.closed_by_server["dropped"] += 1
            if transport is not None:
                transport.abort()
                dropped += 1
        return dropped

    async def close_all(self) -> None:
        """Close every connection (venue shutdown)."""
        for conn in list(self.connections):
            conn.closing = True
            with suppress(ConnectionResetError, RuntimeError):
                await conn.ws.close(code=WSCloseCode.GOING_AWAY, message=b"venue shutting down")
        for task in list(self._closers):
            with suppress(asyncio.CancelledError, ConnectionResetError, RuntimeError):
                await task

    def expire_all(self) -> None:
        for conn in self.connections:
            conn.opened_sim_ms -= self._state.config.max_connection_age_ms
