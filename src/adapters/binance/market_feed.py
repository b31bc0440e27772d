"""BinanceMarketFeed: the MarketFeed port over one Binance combined-stream WebSocket (aiohttp).

`!miniTicker@arr` (or per-symbol miniTickers) covers the whole universe; kline_1m, depth20@100ms and
aggTrade are subscribed only for watched candidates. Within Binance's limits: 1024 streams a connection,
control messages paced under 5 a second, server pings answered (aiohttp autoping), a fresh connection
before the 24 h cut. A dropped connection comes back after a jittered back-off, resubscribes, says
FeedReconnected and backfills the closed 1m klines it missed over REST. `events()` never raises for a
bad frame: it is dropped, counted in `stats()` and logged at WARNING (throttled).

`events()` reads the socket itself (no background task): one consumer at a time.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from types import TracebackType
from typing import Self

import aiohttp
from loguru import logger

from adapters.binance.backoff import Backoff
from adapters.binance.candle_gaps import Gap
from adapters.binance.feed_stats import FeedCounters, FeedStats, ThrottledWarnings
from adapters.binance.frame_router import FrameRouter, Signal
from adapters.binance.kline_backfill import KlineBackfill, closed_klines
from adapters.binance.market_rest import MarketRest
from adapters.binance.rate_limiter import RateLimiter
from adapters.binance.recent_bars import RecentBars
from adapters.binance.stream_names import ALL_MINI_TICKERS, DEFAULT_DETAIL_KINDS, stream_name
from adapters.binance.stream_socket import StreamSocket
from domain.market_events import FeedReconnected, MarketEvent
from domain.values import Candle
from ports.clock import Clock
from ports.errors import ExchangeUnavailable


class BinanceMarketFeed:
    def __init__(self, ws_url: str, rest_url: str, symbols: Sequence[str], clock: Clock, *,
                 detail_streams: Sequence[str] = DEFAULT_DETAIL_KINDS, per_symbol_tickers: bool = False,
                 stale_after_sec: float = 30.0, silent_connection_sec: float = 15.0,
                 max_streams: int = 1024, control_per_sec: int = 4, params_per_message: int = 100,
                 reconnect_before_sec: float = 23.5 * 3600, stable_after_sec: float = 30.0,
                 backoff: Backoff | None = None, connect_timeout_sec: float = 10.0,
                 rest_timeout_sec: float = 10.0, poll_sec: float = 0.25,
                 session_factory: Callable[[], aiohttp.ClientSession] = aiohttp.ClientSession,
                 limiter: RateLimiter | None = None) -> None:
        self._rest_url, self._clock = rest_url, clock
        self._limiter = limiter  # live: the exchange's, so market REST weight counts in the same budget
        self._detail_kinds = tuple(detail_streams)  # stream kinds after "<symbol>@"
        self._universe = tuple(s.upper() for s in symbols)
        self._per_symbol_tickers = per_symbol_tickers
        self._max_streams = max_streams
        self._reconnect_before_ms = int(reconnect_before_sec * 1000)
        self._silent_connection_ms = int(silent_connection_sec * 1000)
        self._stable_after_ms = int(stable_after_sec * 1000)
        self._connect_timeout_sec, self._rest_timeout_sec = connect_timeout_sec, rest_timeout_sec
        self._poll_sec = poll_sec
        self._stale_check_ms = max(10, min(250, int(stale_after_sec * 250)))
        self._backoff = backoff or Backoff()
        self._session_factory = session_factory
        self._counters = FeedCounters()
        self._socket = StreamSocket(ws_url, clock, self._counters, control_per_sec=control_per_sec,
                                    params_per_message=params_per_message)
        self.bars = RecentBars()
        self._router = FrameRouter(clock, universe=frozenset(self._universe) or None,
                                   stale_after_ms=int(stale_after_sec * 1000), counters=self._counters,
                                   bars=self.bars, warnings=ThrottledWarnings(clock))
        self._backfill = KlineBackfill(self._router, self._counters)
        self._session: aiohttp.ClientSession | None = None
        self._rest: MarketRest | None = None
        self._connected_at_ms = self._last_frame_ms = self._next_stale_check_ms = 0
        self._reconnect_reason: str | None = None
        self._outage_started_ms: int | None = None
        self._closing = False

    # -- lifecycle -----------------------------------------------------------------------------------------
    async def __aenter__(self) -> Self:
        self._session = self._session_factory()
        self._rest = MarketRest(self._session, self._rest_url, timeout_sec=self._rest_timeout_sec,
                                limiter=self._limiter)
        try:
            await asyncio.wait_for(self._connect_with_retries(), self._connect_timeout_sec)
        except TimeoutError:
            await self._session.close()
            raise ExchangeUnavailable(f"market stream {self._socket.url}: no connection within "
                                      f"{self._connect_timeout_sec} s") from None
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        self._closing = True
        await self._socket.close()
        if self._session is not None:
            await self._session.close()

    def stats(self) -> FeedStats:
        return self._counters.snapshot()

    def is_stale(self, symbol: str) -> bool:
        return self._router.is_stale(symbol)

    # -- the port ------------------------------------------------------------------------------------------
    async def events(self) -> AsyncIterator[MarketEvent]:
        pending = self._router.pending
        while not self._closing:
            while pending:
                yield pending.popleft()
            ws = self._socket.ws
            if ws is None or ws.closed or self._reconnect_reason is not None:
                self._reconnect_reason = self._reconnect_reason or "connection lost"
                await self._reconnect_once()
                self._router.check_stale()  # a long outage still tells which symbols went stale
                continue
            try:
                message: aiohttp.WSMessage | None = await ws.receive(timeout=self._poll_sec)
            except TimeoutError:
                message = None
            await self._on_message(message)
        while pending:
            yield pending.popleft()

    async def _on_message(self, message: aiohttp.WSMessage | None) -> None:
        router = self._router
        now = self._clock.now_ms()
        if message is None:
            if now - self._last_frame_ms >= self._silent_connection_ms:
                self._reconnect_reason = "connection silent"
        elif message.type is aiohttp.WSMsgType.TEXT:
            self._last_frame_ms = now
            outcome = router.handle_text(message.data)
            if outcome is Signal.SERVER_SHUTDOWN:
                self._reconnect_reason = "serverShutdown"
            elif isinstance(outcome, Gap):
                await self._backfill.fill(self._require_rest(), outcome)
                held = router.take_held()
                if held is not None:
                    router.emit_candle(held)
        elif message.type is aiohttp.WSMsgType.BINARY:
            self._counters.malformed["binary frame"] += 1
        elif not self._closing:
            self._reconnect_reason = f"socket {message.type.name.lower()}"
        if now >= self._next_stale_check_ms:
            self._next_stale_check_ms = now + self._stale_check_ms
            router.check_stale()
        if now - self._connected_at_ms >= self._reconnect_before_ms and self._reconnect_reason is None:
            self._reconnect_reason = "24 h connection limit"

    async def watch(self, symbols: Sequence[str]) -> None:
        new = [s.upper() for s in symbols if s.upper() not in self._router.watched]
        total = len(self._ticker_streams()) + (len(self._router.watched) + len(new)) * len(self._detail_kinds)
        if total > self._max_streams:
            raise ValueError(f"watching {new} would need {total} streams on one connection "
                             f"(limit {self._max_streams}); unwatch some symbols first")
        for symbol in new:
            self._router.watch(symbol)
        await self._send_control("SUBSCRIBE", self._detail_streams(new))

    async def unwatch(self, symbols: Sequence[str]) -> None:
        gone = [s.upper() for s in symbols if s.upper() in self._router.watched]
        for symbol in gone:
            self._router.unwatch(symbol)
        await self._send_control("UNSUBSCRIBE", self._detail_streams(gone))

    async def recent_candles(self, symbol: str, limit: int) -> Sequence[Candle]:
        """The last `limit` (<= 1000) closed 1m bars: from memory when it holds them, else REST."""
        symbol = symbol.upper()
        kept = self.bars.last(symbol, limit)
        if kept is not None:
            return kept
        closed = await closed_klines(self._require_rest(), symbol, limit)
        if symbol in self._router.watched:
            self.bars.merge(symbol, closed)
        return closed

    async def set_universe(self, symbols: Sequence[str]) -> None:
        """A refreshed universe (the hourly SymbolUniverse pick): tickers are filtered to it from now on."""
        old_streams = set(self._ticker_streams())
        self._universe = tuple(s.upper() for s in symbols)
        self._router.universe = frozenset(self._universe) or None
        new_streams = self._ticker_streams()
        await self._send_control("UNSUBSCRIBE", sorted(old_streams - set(new_streams)))
        await self._send_control("SUBSCRIBE", [s for s in new_streams if s not in old_streams])

    @property
    def watched(self) -> tuple[str, ...]:
        return tuple(self._router.watched)

    # -- connection ------------------------------------------------------------------------------------------
    def _ticker_streams(self) -> list[str]:
        if self._per_symbol_tickers and self._universe:
            return [stream_name(s, "miniTicker") for s in self._universe]
        return [ALL_MINI_TICKERS]

    def _detail_streams(self, symbols: Iterable[str]) -> list[str]:
        return [stream_name(symbol, kind) for symbol in symbols for kind in self._detail_kinds]

    async def _connect(self) -> None:
        assert self._session is not None
        await self._socket.open(self._session)
        now = self._clock.now_ms()
        self._connected_at_ms = self._last_frame_ms = now
        self._router.restart_silence_clocks()
        streams = self._ticker_streams() + self._detail_streams(self._router.watched)
        await self._send_control("SUBSCRIBE", streams)

    async def _connect_with_retries(self) -> None:
        while not self._closing:
            try:
                await self._connect()
                return
            except (aiohttp.ClientError, OSError, TimeoutError) as exc:
                delay = self._backoff.next_delay()
                logger.warning("market feed: cannot connect to {} ({!r}); retry in {:.2f} s",
                               self._socket.url, exc, delay)
                await self._clock.sleep(delay)

    async def _reconnect_once(self) -> None:
        """One reconnection attempt after a jittered back-off (none for a planned renewal); on success,
        FeedReconnected and the REST backfill of the klines missed."""
        reason = self._reconnect_reason or "connection lost"
        await self._socket.close()
        now = self._clock.now_ms()
        first_attempt = self._outage_started_ms is None
        if first_attempt:
            self._outage_started_ms = self._last_frame_ms or now
            if now - self._connected_at_ms >= self._stable_after_ms:
                self._backoff.reset()
            logger.info("market feed: reconnecting ({})", reason)
        if not (first_attempt and reason in ("24 h connection limit", "serverShutdown")):
            await self._clock.sleep(self._backoff.next_delay())
        try:
            await self._connect()
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            logger.warning("market feed: reconnection to {} failed: {!r}", self._socket.url, exc)
            return
        now = self._clock.now_ms()
        missed = max(0, now - (self._outage_started_ms or now))
        self._reconnect_reason = self._outage_started_ms = None
        self._counters.reconnects += 1
        self._counters.events += 1
        self._router.pending.append(FeedReconnected(time_ms=now, missed_ms=missed))
        await self._backfill.after_reconnect(self._require_rest())

    async def _send_control(self, method: str, streams: list[str]) -> None:
        if not await self._socket.control(method, streams) and not self._closing:
            self._reconnect_reason = self._reconnect_reason or "send failed"

    def _require_rest(self) -> MarketRest:
        if self._rest is None:
            raise RuntimeError("BinanceMarketFeed is used outside its `async with` block")
        return self._rest
