"""Which payloads each market stream is due at a simulated instant, built from the recorded bars.

Cadences follow Binance in simulated time (miniTicker and tickers 1 s, kline updates 2 s, depth<N> 1 s
or 100 ms, bookTicker and trades every replay tick), but at most one frame of a kind per tick, so the
frame rate stays bounded at any speed. Every bar's closed kline (`x: true`) is sent once, in order;
after a jump of the clock only the last `max_catch_up_bars` are. Not replayed (accepted, silent):
diff depth (`@depth`), avgPrice, and kline intervals other than 1m.
"""

from __future__ import annotations

import json

from adapters.simulated.venue import payloads
from adapters.simulated.venue.state import VenueState
from domain.time_units import MINUTE_MS

ALL_MINI_TICKERS = "!miniTicker@arr"


class ReplayFrames:
    def __init__(self, state: VenueState) -> None:
        self._state = state
        self._last_sent: dict[str, int] = {}
        self._closed_sent: dict[str, int] = {}
        self._trade_ids: dict[str, int] = {}

    def frames(self, wanted: set[str], now: int) -> dict[str, list[str]]:
        """Stream name -> payload texts to send now (after the fault hooks had their say)."""
        for store in (self._last_sent, self._closed_sent, self._trade_ids):
            for gone in [s for s in store if s not in wanted]:
                del store[gone]
        faults = self._state.faults
        out: dict[str, list[str]] = {}
        for stream in wanted:
            shaped = [text for payload in self._due(stream, now) for text in faults.shape(stream, payload)]
            if shaped:
                out[stream] = shaped
        return out

    def _periodic(self, stream: str, now: int, every_ms: int) -> bool:
        last = self._last_sent.get(stream)
        if last is not None and now - last < every_ms:
            return False
        self._last_sent[stream] = now
        return True

    def _due(self, stream: str, now: int) -> list[str]:
        state = self._state
        config = state.config
        if stream == ALL_MINI_TICKERS:
            if not self._periodic(stream, now, config.ticker_update_ms):
                return []
            items = []
            for symbol, tape in state.tapes.items():
                window = tape.window(now) if tape.bar_at(now) is not None else None
                if window is not None:  # only symbols that traded: Binance sends the ones that changed
                    items.append(payloads.mini_ticker(symbol, window, now))
            return [json.dumps(items)] if items else []
        name, _, kind = stream.partition("@")
        symbol = name.upper()
        found = state.tapes.get(symbol)
        if found is None:
            return []
        tape = found
        if kind in ("miniTicker", "ticker"):
            window = tape.window(now)
            if window is None or not self._periodic(stream, now, config.ticker_update_ms):
                return []
            if kind == "miniTicker":
                return [json.dumps(payloads.mini_ticker(symbol, window, now))]
            return [json.dumps(payloads.full_ticker(symbol, window, state.book(symbol, 1, now), now))]
        if symbol in state.faults.silenced:
            return []
        if kind == "kline_1m":
            return self._klines(stream, symbol, now)
        if kind.startswith("depth") and kind[5:6].isdigit():
            levels_text, _, speed = kind[5:].partition("@")
            if not self._periodic(stream, now, 100 if speed == "100ms" else 1000):
                return []
            book = state.book(symbol, int(levels_text), now)
            return [json.dumps(book.as_json())] if book is not None else []
        if kind == "bookTicker":
            book = state.book(symbol, 1, now)
            return [json.dumps(payloads.book_ticker(symbol, book))] if book is not None else []
        if kind in ("aggTrade", "trade"):
            bar = tape.bar_at(now)
            if bar is None:
                return []
            trade_id = max(self._trade_ids.get(stream, 0) + 1, now)
            self._trade_ids[stream] = trade_id
            step = float(state.rules[symbol].step_size) or 1e-8
            typical = float(tape.volume[bar.index]) / max(int(tape.trades[bar.index]), 30)
            qty = max(step, round(typical / step) * step)
            return [json.dumps(payloads.trade(symbol, bar, now, trade_id, qty, aggregate=kind == "aggTrade"))]
        return []

    def _klines(self, stream: str, symbol: str, now: int) -> list[str]:
        tape = self._state.tapes[symbol]
        closed = tape.closed_count(now)
        sent = self._closed_sent.get(stream, closed)  # a new subscriber gets no old bars
        first = max(sent, closed - self._state.config.max_catch_up_bars)
        out = [json.dumps(payloads.kline(symbol, tape.closed_bar(i), int(tape.open_time[i]) + MINUTE_MS))
               for i in range(first, closed)]
        self._closed_sent[stream] = closed
        if self._periodic(stream, now, self._state.config.kline_update_ms):
            bar = tape.bar_at(now)
            if bar is not None:
                out.append(json.dumps(payloads.kline(symbol, bar, now)))
        return out
