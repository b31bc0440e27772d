"""Faults the tests inject into the venue's market streams, the way a real network misbehaves.

`silence(symbol)` stops a symbol's detail streams (its tickers keep flowing); `duplicate_next` and
`reorder_next` repeat or swap the next frame of one stream; `send_malformed` pushes a bad frame to every
client; `drop_connections` cuts every socket without a close frame; `force_day_cut` makes every
connection hit the 24 h limit at the next tick; `server_shutdown` sends Binance's maintenance notice.

REST: `fail_market_next` answers the next market-data requests 503; `outage_until` answers every REST
route (market data and trading) 503 until that venue time (minutes of 503, a maintenance window).
The trading side's own faults (5xx after execution, hung requests, lost user-data events, halts, expiry)
are in trading_desk.TradingFaults.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Protocol

MALFORMED_KINDS = ("bad_json", "not_object", "unknown_stream", "corrupt_kline", "corrupt_ticker",
                   "bad_shape", "binary")


class StreamControl(Protocol):
    async def broadcast(self, text: str, *, binary: bool = False) -> int: ...

    async def drop_all(self) -> int: ...

    def expire_all(self) -> None: ...

    def now_ms(self) -> int: ...


class Faults:
    def __init__(self) -> None:
        self.silenced: set[str] = set()
        self._duplicate: Counter[str] = Counter()
        self._reorder: set[str] = set()
        self._held: dict[str, str] = {}
        self._streams: StreamControl | None = None
        self.market_errors = 0  # next market-data REST requests answered 503
        self.unavailable_until_ms = 0  # every REST route answers 503 before this venue time

    # -- REST ----------------------------------------------------------------------------------------------
    def fail_market_next(self, count: int = 1) -> None:
        self.market_errors += count

    def outage_until(self, venue_ms: int) -> None:
        self.unavailable_until_ms = max(self.unavailable_until_ms, venue_ms)

    def rest_unavailable(self, now_ms: int, *, market: bool) -> bool:
        """Whether this REST request gets a 503 (consumes one `fail_market_next` for market data)."""
        if now_ms < self.unavailable_until_ms:
            return True
        if market and self.market_errors > 0:
            self.market_errors -= 1
            return True
        return False

    def attach(self, streams: StreamControl) -> None:
        self._streams = streams

    def _control(self) -> StreamControl:
        if self._streams is None:
            raise RuntimeError("faults are not attached to a running venue")
        return self._streams

    # -- per-stream shaping, applied by the replay to each payload it is about to send ----------------------
    def silence(self, symbol: str) -> None:
        self.silenced.add(symbol.upper())

    def unsilence(self, symbol: str) -> None:
        self.silenced.discard(symbol.upper())

    def duplicate_next(self, stream: str, times: int = 1) -> None:
        self._duplicate[stream] += times

    def reorder_next(self, stream: str) -> None:
        """Hold the next frame of `stream` and send it after the one that follows."""
        self._reorder.add(stream)

    def shape(self, stream: str, payload: str) -> list[str]:
        if stream in self._reorder:
            self._reorder.discard(stream)
            self._held[stream] = payload
            return []
        out = [payload]
        held = self._held.pop(stream, None)
        if held is not None:
            out.append(held)
        if self._duplicate[stream] > 0:
            self._duplicate[stream] -= 1
            out.append(payload)
        return out

    # -- connection-level faults ---------------------------------------------------------------------------
    async def drop_connections(self) -> int:
        return await self._control().drop_all()

    def force_day_cut(self) -> None:
        self._control().expire_all()

    async def server_shutdown(self) -> int:
        now = self._control().now_ms()
        notice = {"stream": "!serverShutdown", "data": {"e": "serverShutdown", "E": now}}
        return await self._control().broadcast(json.dumps(notice))

    async def send_malformed(self, kind: str, symbol: str = "BTCUSDT") -> int:
        """Send one bad frame of `kind` (see MALFORMED_KINDS) to every client; returns how many got it."""
        control = self._control()
        now = control.now_ms()
        stream = f"{symbol.lower()}@kline_1m"
        minute = now // 60_000 * 60_000
        kline = {"e": "kline", "E": now, "s": symbol, "k": {
            "t": minute, "T": minute + 59_999, "s": symbol, "i": "1m", "f": 1, "L": 2, "o": "NaN", "c": "1.0",
            "h": "1.0", "l": "1.0", "v": "1.0", "n": 1, "x": False, "q": "1.0", "V": "0.5", "Q": "0.5",
            "B": "0"}}
        frames = {
            "bad_json": '{"stream": "' + stream + '", "data": {',
            "not_object": "[1, 2, 3]",
            "unknown_stream": json.dumps({"stream": f"{symbol.lower()}@madeUpStream", "data": {}}),
            "corrupt_kline": json.dumps({"stream": stream, "data": kline}),
            "corrupt_ticker": json.dumps({"stream": "!miniTicker@arr", "data": [
                {"e": "24hrMiniTicker", "E": now, "s": symbol, "c": "-1", "o": "1", "h": "1", "l": "1",
                 "v": "1", "q": "1"}]}),
            "bad_shape": json.dumps({"stream": stream, "data": {"e": "kline", "E": now}}),
            "binary": "\x00\x01",
        }
        if kind not in frames:
            raise ValueError(f"unknown malformed frame kind {kind!r}; one of {', '.join(MALFORMED_KINDS)}")
        return await control.broadcast(frames[kind], binary=kind == "binary")
