"""The venue's public REST market data: ping, time, exchangeInfo, ticker/24hr, ticker/price,
ticker/bookTicker, avgPrice, klines, depth; Binance's weights, headers and error JSON.

Everything is read at the venue clock's instant: klines end with the bar in progress (partial), no bar
from the future is ever served. `/api/v3/depth` is the synthetic book of book.py (the recorded klines
hold no book). Errors: unknown symbol -1121, missing parameter -1102, malformed value -1100, bad
interval -1120, over the weight limit HTTP 429 with Retry-After.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from aiohttp import web

from adapters.simulated.venue import payloads
from adapters.simulated.venue.exchange_info import exchange_info
from adapters.simulated.venue.rest_common import (
    ILLEGAL,
    MANDATORY,
    BinanceError,
    endpoint,
    int_param,
    symbol_param,
    symbols_param,
)
from adapters.simulated.venue.state import VenueState
from domain.time_units import MINUTE_MS

# Intervals served (aggregated from 1m, epoch-aligned); 1s, 1w and 1M are not (-1120).
SERVED_INTERVALS_MS = {"1m": 60_000, "3m": 180_000, "5m": 300_000, "15m": 900_000, "30m": 1_800_000,
                       "1h": 3_600_000, "2h": 7_200_000, "4h": 14_400_000, "6h": 21_600_000,
                       "8h": 28_800_000, "12h": 43_200_000, "1d": 86_400_000, "3d": 259_200_000}


async def ping(request: web.Request, state: VenueState) -> Any:
    return {}


async def server_time(request: web.Request, state: VenueState) -> Any:
    return {"serverTime": state.clock.now_ms()}


async def get_exchange_info(request: web.Request, state: VenueState) -> Any:
    single = symbol_param(request, state, required=False)
    names = [single] if single else (symbols_param(request, state) or sorted(state.rules))
    return exchange_info([state.rules[n] for n in names], state.clock.now_ms())


def _ticker(state: VenueState, symbol: str, now: int, mini: bool) -> dict[str, Any] | None:
    window = state.tapes[symbol].window(now)
    if window is None:
        return None
    return payloads.rest_ticker(symbol, window, state.book(symbol, 1, now), now, mini=mini)


async def ticker_24hr(request: web.Request, state: VenueState) -> Any:
    kind = request.query.get("type", "FULL")
    if kind not in ("FULL", "MINI"):
        raise BinanceError(-1100, ILLEGAL % ("type", "FULL, MINI"))
    now = state.clock.now_ms()
    single = symbol_param(request, state, required=False)
    if single is not None:
        return _ticker(state, single, now, kind == "MINI") or {}
    names = symbols_param(request, state) or sorted(state.tapes)
    return [t for n in names if (t := _ticker(state, n, now, kind == "MINI")) is not None]


async def ticker_price(request: web.Request, state: VenueState) -> Any:
    now = state.clock.now_ms()
    single = symbol_param(request, state, required=False)
    names = [single] if single else (symbols_param(request, state) or sorted(state.tapes))
    prices = [{"symbol": n, "price": payloads.d8(p)} for n in names
              if (p := state.tapes[n].last_price(now)) is not None]
    return prices[0] if single and prices else prices


async def book_ticker(request: web.Request, state: VenueState) -> Any:
    single = symbol_param(request, state, required=False)
    names = [single] if single else (symbols_param(request, state) or sorted(state.tapes))
    out = []
    for name in names:
        book = state.book(name, 1)
        if book is not None:
            top = payloads.book_ticker(name, book)
            out.append({"symbol": name, "bidPrice": top["b"], "bidQty": top["B"], "askPrice": top["a"],
                        "askQty": top["A"]})
    return out[0] if single and out else out


async def avg_price(request: web.Request, state: VenueState) -> Any:
    symbol = symbol_param(request, state)
    assert symbol is not None
    now = state.clock.now_ms()
    tape = state.tapes[symbol]
    closed = tape.closed_count(now)
    first = tape.first_at_or_after(now - 5 * MINUTE_MS)
    if closed > first:
        volume = float(tape.volume[first:closed].sum())
        quote = float(tape.quote_volume[first:closed].sum())
        price = quote / volume if volume > 0 else float(tape.close[closed - 1])
    else:
        price = tape.last_price(now) or 0.0
    return {"mins": 5, "price": payloads.d8(price), "closeTime": now}


def _aggregate(rows: list[list[Any]], interval_ms: int) -> list[list[Any]]:
    """1m rows -> rows of a longer interval (epoch-aligned), as Binance builds them."""
    out: list[list[Any]] = []
    for row in rows:
        start = row[0] // interval_ms * interval_ms
        if out and out[-1][0] == start:
            agg = out[-1]
            agg[2] = payloads.d8(max(float(agg[2]), float(row[2])))
            agg[3] = payloads.d8(min(float(agg[3]), float(row[3])))
            agg[4] = row[4]
            for i in (5, 7, 9, 10):
                agg[i] = payloads.d8(float(agg[i]) + float(row[i]))
            agg[8] += row[8]
        else:
            out.append([start, *row[1:6], start + interval_ms - 1, *row[7:]])
    return out


async def klines(request: web.Request, state: VenueState) -> Any:
    symbol = symbol_param(request, state)
    assert symbol is not None
    interval = request.query.get("interval")
    if not interval:
        raise BinanceError(-1102, MANDATORY % "interval")
    if interval not in SERVED_INTERVALS_MS:
        raise BinanceError(-1120, "Invalid interval.")
    step = SERVED_INTERVALS_MS[interval]
    limit = min(int_param(request, "limit", 500) or 500, 1000)
    now = state.clock.now_ms()
    start, end = int_param(request, "startTime"), int_param(request, "endTime")
    tape = state.tapes[symbol]
    last = min(end if end is not None else now, now)
    hi = int(np.searchsorted(tape.open_time, last, side="right"))
    if start is not None:  # the first `limit` bars opened at or after startTime
        lo = tape.first_at_or_after(-(-start // step) * step)
        hi = min(hi, tape.first_at_or_after(-(-start // step) * step + limit * step))
    else:  # the last `limit` bars up to endTime (or now)
        lo = tape.first_at_or_after((last // step - limit + 1) * step)
    rows: list[list[Any]] = []
    for i in range(lo, hi):
        bar = tape.closed_bar(i) if int(tape.open_time[i]) + MINUTE_MS <= now else tape.bar_at(now)
        if bar is not None:
            rows.append(payloads.rest_kline_row(bar))
    if step != MINUTE_MS:
        rows = _aggregate(rows, step)
    return rows[:limit] if start is not None else rows[-limit:]


def _depth_weight(request: web.Request) -> int:
    limit = int(request.query.get("limit", "100")) if request.query.get("limit", "100").isdigit() else 100
    return 5 if limit <= 100 else 25 if limit <= 500 else 50 if limit <= 1000 else 250


async def depth(request: web.Request, state: VenueState) -> Any:
    symbol = symbol_param(request, state)
    assert symbol is not None
    limit = int_param(request, "limit", 100) or 100
    if limit > 5000:
        raise BinanceError(-1100, ILLEGAL % ("limit", "1-5000"))
    book = state.book(symbol, limit)
    return book.as_json() if book is not None else {"lastUpdateId": 0, "bids": [], "asks": []}


def _many(request: web.Request, single: int, few: int, many: int) -> int:
    if "symbol" in request.query:
        return single
    raw = request.query.get("symbols")
    return few if raw is not None and raw.count(",") < 20 else many


def add_market_routes(app: web.Application) -> None:
    def fixed(weight: int) -> Callable[[web.Request], int]:
        return lambda request: weight

    routes = [
        ("/api/v3/ping", endpoint(fixed(1))(ping)),
        ("/api/v3/time", endpoint(fixed(1))(server_time)),
        ("/api/v3/exchangeInfo", endpoint(fixed(20))(get_exchange_info)),
        ("/api/v3/ticker/24hr", endpoint(lambda r: _many(r, 2, 40, 80))(ticker_24hr)),
        ("/api/v3/ticker/price", endpoint(lambda r: _many(r, 2, 4, 4))(ticker_price)),
        ("/api/v3/ticker/bookTicker", endpoint(lambda r: _many(r, 2, 4, 4))(book_ticker)),
        ("/api/v3/avgPrice", endpoint(fixed(2))(avg_price)),
        ("/api/v3/klines", endpoint(fixed(2))(klines)),
        ("/api/v3/depth", endpoint(_depth_weight)(depth)),
    ]
    for path, handler in routes:
        app.router.add_get(path, handler)
