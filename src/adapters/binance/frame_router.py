"""One combined-stream frame -> domain events, with de-duplication and staleness bookkeeping.

Synchronous and socket-free so the hot path stays cheap and testable: `BinanceMarketFeed` owns the
connection and feeds text frames here. A frame is decoded in one msgspec pass (`decode_stream_frame`:
a `!miniTicker@arr` array arrives as typed items, floats already parsed); frames of any other shape
fall back to `json.loads` and the same checks. Events queue in `pending`. A kline that reveals missing
closed bars is held back (`held`) and a `Gap` returned, so the feed can backfill over REST and then
emit the held candle: per-symbol order is kept.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Mapping
from enum import Enum
from typing import Any

import msgspec

from adapters.binance.candle_gaps import Gap, KlineTracker
from adapters.binance.feed_stats import FeedCounters, ThrottledWarnings
from adapters.binance.parse import (
    decode_stream_frame,
    parse_agg_trade,
    parse_book_ticker,
    parse_depth,
    parse_kline,
    parse_mini_ticker,
    parse_mini_ticker_array,
    parse_trade,
)
from adapters.binance.recent_bars import RecentBars
from adapters.binance.stream_names import StreamKind, StreamRoute, route_of
from domain.market_events import (
    BookTopUpdated,
    BookUpdated,
    CandleUpdated,
    MarketEvent,
    StreamStale,
    TickersUpdated,
    TradeHappened,
)
from domain.ticker_table import TickerTable
from domain.values import Candle, CorruptMarketData
from ports.clock import Clock


class Signal(Enum):
    SERVER_SHUTDOWN = "serverShutdown"


class FrameRouter:
    def __init__(self, clock: Clock, *, universe: frozenset[str] | None, stale_after_ms: int,
                 counters: FeedCounters, bars: RecentBars, warnings: ThrottledWarnings) -> None:
        self._clock = clock
        self.universe = universe
        self._stale_after_ms = stale_after_ms
        self._counters = counters
        self.bars = bars
        self._warnings = warnings
        self.tracker = KlineTracker()
        self.pending: deque[MarketEvent] = deque()
        self.held: Candle | None = None
        self.watched: dict[str, None] = {}  # insertion-ordered set
        self._last_detail_ms: dict[str, int] = {}
        self._stale: set[str] = set()
        self._last_ids: dict[tuple[StreamKind, str], int] = {}
        self._routes: dict[str, StreamRoute] = {}

    # -- watched set -------------------------------------------------------------------------------------
    def watch(self, symbol: str) -> None:
        self.watched[symbol] = None
        self._last_detail_ms[symbol] = self._clock.now_ms()

    def unwatch(self, symbol: str) -> None:
        self.watched.pop(symbol, None)
        self._last_detail_ms.pop(symbol, None)
        self._stale.discard(symbol)
        self.tracker.forget(symbol)
        self.bars.forget(symbol)

    def restart_silence_clocks(self) -> None:
        """After a reconnect, silence is counted from the new connection."""
        now = self._clock.now_ms()
        for symbol in self.watched:
            self._last_detail_ms[symbol] = now

    # -- frames ------------------------------------------------------------------------------------------
    def handle_text(self, frame: str | bytes) -> Gap | Signal | None:
        """One frame's payload, as text or as its UTF-8 bytes (msgspec reads either without a copy)."""
        self._counters.frames += 1
        try:
            decoded = decode_stream_frame(frame)
        except msgspec.ValidationError:
            return self._handle_generic(frame)  # valid JSON, not the usual shape: the careful path
        except msgspec.DecodeError:
            self._drop("bad JSON", frame)
            return None
        if decoded.stream is None:
            return self._handle_generic(frame)  # a control reply
        return self._handle_stream(decoded.stream, decoded.data, frame)

    def _handle_generic(self, frame: str | bytes) -> Gap | Signal | None:
        try:
            message = json.loads(frame)
        except ValueError:  # UnicodeDecodeError included
            self._drop("bad JSON", frame)
            return None
        if not isinstance(message, dict):
            self._drop("not a JSON object", frame)
            return None
        stream = message.get("stream")
        if stream is None:
            return self._control_reply(message, _text(frame))
        return self._handle_stream(stream, message.get("data"), frame)

    def _handle_stream(self, stream: Any, data: Any, frame: str | bytes) -> Gap | Signal | None:
        route = self._routes.get(stream)
        if route is None:
            route = route_of(stream) if isinstance(stream, str) else None
            if route is None:
                self._drop("unknown stream", frame)
                return None
            self._routes[stream] = route
        try:
            return self._route(route, data)
        except CorruptMarketData as exc:
            self._drop("corrupt values", f"{stream}: {exc}")
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            self._drop("bad payload shape", f"{stream}: {exc!r}")
        return None

    def _route(self, route: StreamRoute, data: Any) -> Gap | Signal | None:
        kind = route.kind
        if kind is StreamKind.MINI_TICKER_ARRAY:
            table = parse_mini_ticker_array(data, self.universe)
            if table.rejected:
                self._drop("corrupt values", f"{table.rejected} corrupt items in !miniTicker@arr")
            self._tickers(table, "")
            return None
        if kind is StreamKind.MINI_TICKER:
            self._tickers(TickerTable.from_tickers((parse_mini_ticker(data),)), route.symbol)
            return None
        if kind is StreamKind.SERVER_SHUTDOWN:
            return Signal.SERVER_SHUTDOWN
        symbol = route.symbol
        if symbol not in self.watched:
            return None  # in flight when the symbol was unwatched
        self._touch(symbol)
        if kind is StreamKind.KLINE:
            candle = parse_kline(data)
            gap = self.tracker.gap_before(candle)
            if gap is not None:
                self.held = candle
                return gap
            self.emit_candle(candle)
        elif kind is StreamKind.PARTIAL_DEPTH:
            book = parse_depth(data, symbol, self._clock.now_ms())
            if self._is_new(kind, symbol, book.last_update_id):
                self._emit(BookUpdated(book))
        elif kind is StreamKind.BOOK_TICKER:
            top = parse_book_ticker(data, self._clock.now_ms())
            if self._is_new(kind, symbol, int(data["u"])):
                self._emit(BookTopUpdated(top))
        else:
            trade = parse_agg_trade(data) if kind is StreamKind.AGG_TRADE else parse_trade(data)
            if self._is_new(kind, symbol, trade.trade_id):
                self._emit(TradeHappened(trade))
        return None

    def _tickers(self, table: TickerTable, symbol: str) -> None:
        time_ms = table.last_event_ms
        if time_ms is None or (symbol and self.universe is not None and symbol not in self.universe):
            return
        if not self._is_new(StreamKind.MINI_TICKER, symbol, time_ms):
            return
        self._emit(TickersUpdated(table, time_ms))

    def emit_candle(self, candle: Candle) -> bool:
        if not self.tracker.admit(candle):
            self._counters.duplicates += 1
            return False
        self.bars.add(candle)
        self._emit(CandleUpdated(candle))
        return True

    def take_held(self) -> Candle | None:
        candle, self.held = self.held, None
        return candle

    def _emit(self, event: MarketEvent) -> None:
        self._counters.events += 1
        self.pending.append(event)

    def _is_new(self, kind: StreamKind, symbol: str, update_id: int) -> bool:
        """Ids and event times only grow on a stream: anything not above the last one is a repeat."""
        key = (kind, symbol)
        last = self._last_ids.get(key)
        if last is not None and update_id <= last:
            self._counters.duplicates += 1
            return False
        self._last_ids[key] = update_id
        return True

    def _touch(self, symbol: str) -> None:
        self._last_detail_ms[symbol] = self._clock.now_ms()
        if symbol in self._stale:
            self._stale.discard(symbol)

    def _control_reply(self, message: Mapping[str, Any], text: str) -> Signal | None:
        if "result" in message and "id" in message:
            return None  # SUBSCRIBE / UNSUBSCRIBE acknowledgement
        if message.get("e") == "serverShutdown":
            return Signal.SERVER_SHUTDOWN
        self._counters.control_errors += 1
        self._warnings.warn("control error", text)
        return None

    def _drop(self, reason: str, detail: str | bytes) -> None:
        self._counters.malformed[reason] += 1
        self._warnings.warn(reason, _text(detail))

    # -- staleness -----------------------------------------------------------------------------------------
    def check_stale(self) -> None:
        """Queue a StreamStale for each watched symbol silent for `stale_after_ms` (once per silence)."""
        now = self._clock.now_ms()
        for symbol in self.watched:
            last = self._last_detail_ms.get(symbol, now)
            if symbol not in self._stale and now - last >= self._stale_after_ms:
                self._stale.add(symbol)
                self._counters.stale_marks += 1
                self._emit(StreamStale(symbol, now - last, now))

    def is_stale(self, symbol: str) -> bool:
        return symbol in self._stale


def _text(frame: str | bytes) -> str:
    return frame if isinstance(frame, str) else frame[:400].decode("utf-8", "replace")
