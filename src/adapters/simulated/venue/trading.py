"""The venue's signed REST trading endpoints, over the simulator's matching engine (trading_desk.py).

    app = create_venue_app(data, speed=1, extra_setup=[trading_setup(TradingConfig())])

Like Binance (binance-spot-api.md 1.2-1.8, 2, 3, 9): X-MBX-APIKEY (-2014/-2015, HTTP 401), HMAC over the
raw query + body (-1022), timestamp/recvWindow on the venue clock (-1021); REQUEST_WEIGHT per IP and
ORDERS per account in fixed windows with X-MBX-USED-WEIGHT-* / X-MBX-ORDER-COUNT-* headers, 429 with
Retry-After (-1003/-1015), and a 418 ban for a client that keeps going after 429s. Successful order
calls cost no weight (since 2026-04-02). Engine errors keep their Binance code and message.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from adapters.simulated.venue import trading_routes
from adapters.simulated.venue.data import VenueData
from adapters.simulated.venue.signing import (
    ApiError,
    api_key_secret,
    check_signature,
    check_timestamp,
    request_params,
    signed_payload,
)
from adapters.simulated.venue.state import VENUE_STATE
from adapters.simulated.venue.trading_desk import TradingConfig, TradingDesk
from ports.errors import ExchangeError

TRADING_DESK = web.AppKey("venue_trading_desk", TradingDesk)
_MARKET_TASK = web.AppKey("venue_trading_market_task", asyncio.Task[None])
CONTENT_TYPE = "application/json;charset=UTF-8"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Action = Callable[[TradingDesk, dict[str, str], str], Any]


def trading_setup(config: TradingConfig | None = None) -> Callable[[web.Application], None]:
    """The `extra_setup` hook of create_venue_app that adds the trading routes (and the WebSocket API)."""
    def setup(app: web.Application) -> None:
        from adapters.simulated.venue.ws_api import add_ws_api

        desk = TradingDesk(app[VENUE_STATE], config or TradingConfig())
        app[TRADING_DESK] = desk
        for method, path, weight, orders, action in trading_routes.ROUTES:
            if path.startswith("/sapi/") and not desk.config.sapi:
                continue  # like the Spot Testnet: 404
            # Order placement and cancels cost no weight when they succeed (binance-spot-api.md 3).
            app.router.add_route(method, path, _endpoint(weight, orders, action, free=method != "GET"))
        app.middlewares.append(_served_rate_limits)
        app[VENUE_STATE].shared_gate = lambda ip, weight, headers: _market_gate(desk, ip, weight, headers)
        add_ws_api(app, desk)

        async def start(app: web.Application) -> None:
            app[_MARKET_TASK] = asyncio.get_running_loop().create_task(desk.run())

        async def stop(app: web.Application) -> None:
            app[_MARKET_TASK].cancel()
            with suppress(asyncio.CancelledError):
                await app[_MARKET_TASK]

        app.on_startup.append(start)
        app.on_shutdown.append(stop)
    return setup


def _response(body: Any, status: int, headers: dict[str, str]) -> web.Response:
    return web.Response(body=json.dumps(body).encode(), status=status,
                        headers={"Content-Type": CONTENT_TYPE, **headers})


def _endpoint(weight: Callable[[dict[str, str]], int], orders: int, action: Action, *,
              free: bool) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def route(request: web.Request) -> web.StreamResponse:
        response = await _answer(request)
        request.app[TRADING_DESK].answers[response.status] += 1
        return response

    async def _answer(request: web.Request) -> web.StreamResponse:
        desk = request.app[TRADING_DESK]
        headers: dict[str, str] = {}
        ip = request.remote or "?"
        try:
            refusal = _fault_or_ban(desk, ip)
            if refusal is not None:
                return refusal
            body = await request.text()
            params = request_params(request.rel_url.raw_query_string, body)
            cost = 0 if free else weight(params)
            over = desk.limits.add("REQUEST_WEIGHT", ip, cost, desk.now_ms(), headers)
            if over is not None:
                return _throttled(desk, ip, -1003, f"Too much request weight used; current limit is "
                                  f"{over.limit} request weight per {over.interval_ms // 1000} SECOND.", over,
                                  headers)
            key = _authenticate(desk, request, params, body)
            if orders:
                over = desk.limits.add("ORDERS", "account", orders, desk.now_ms(), headers)
                if over is not None:
                    return _throttled(desk, ip, -1015, f"Too many new orders; current limit is {over.limit} "
                                      f"orders per {over.interval_ms // 1000} SECOND.", over, headers)
            if "symbol" in params:
                desk.sync([params["symbol"]])
            if desk.faults.hung:  # the request never reaches the engine; the client times out
                await asyncio.sleep(desk.faults.hung.pop(0))
                return web.Response(status=503, text="Service Unavailable (hung request dropped)")
            result = action(desk, params, key)
            desk.ignored_429.pop(ip, None)
            if desk.faults.errors_after_execution > 0:  # done, but the client only sees a 5xx
                desk.faults.errors_after_execution -= 1
                return web.Response(status=503, text="Service Unavailable (venue fault after execution)")
            if orders and desk.faults.slow_orders:  # executed; the answer comes too late for the client
                await asyncio.sleep(desk.faults.slow_orders.pop(0))
            return _response(result, 200, headers)
        except (ApiError, ExchangeError) as exc:
            if free:  # a failed order call costs its weight
                desk.limits.add("REQUEST_WEIGHT", ip, weight({}), desk.now_ms(), headers)
            if isinstance(exc, ApiError):
                return _response(exc.body(), exc.status, {**headers, **exc.headers})
            code = exc.code if exc.code is not None else -1000
            return _response({"code": code, "msg": str(exc)}, 400, headers)
    return route


def _market_gate(desk: TradingDesk, ip: str, weight: int,
                 headers: dict[str, str]) -> tuple[int, dict[str, Any]] | None:
    """Market-data routes: the same per-IP ban and REQUEST_WEIGHT windows as the signed routes."""
    now = desk.now_ms()
    banned_until = desk.banned_until_ms.get(ip, 0)
    if banned_until > now:
        headers["Retry-After"] = str(-(-(banned_until - now) // 1000))
        return 418, {"code": -1003,
                     "msg": f"Way too much request weight used; IP banned until {banned_until}."}
    over = desk.limits.add("REQUEST_WEIGHT", ip, weight, now, headers)
    if over is None:
        return None
    headers["Retry-After"] = str(over.seconds_left(now))
    return 429, {"code": -1003, "msg": f"Too much request weight used; current limit is {over.limit} request "
                 f"weight per {over.interval_ms // 1000} SECOND."}


def _fault_or_ban(desk: TradingDesk, ip: str) -> web.Response | None:
    faults, now = desk.faults, desk.now_ms()
    if desk.state.faults.rest_unavailable(now, market=False):
        return web.Response(status=503, text="Service Unavailable (venue outage)")
    if faults.server_errors > 0:
        faults.server_errors -= 1
        return web.Response(status=503, text="Service Unavailable (venue fault)")
    if faults.ban_seconds:
        desk.banned_until_ms[ip] = now + faults.ban_seconds * 1000
        faults.ban_seconds = 0
    banned_until = desk.banned_until_ms.get(ip, 0)
    if banned_until > now:
        seconds = -(-(banned_until - now) // 1000)
        return _response({"code": -1003, "msg": f"Way too much request weight used; IP banned until "
                          f"{banned_until}. Please use WebSocket Streams for live updates to avoid bans."},
                         418, {"Retry-After": str(seconds)})
    if faults.throttled:
        retry_after = faults.throttled.pop(0)
        return _response({"code": -1003, "msg": "Too much request weight used; current limit is 6000 request "
                          "weight per 1 MINUTE."}, 429, {"Retry-After": str(int(retry_after))})
    return None


def _throttled(desk: TradingDesk, ip: str, code: int, msg: str, window: Any,
               headers: dict[str, str]) -> web.Response:
    """429; a client that ignores `ignored_429_before_ban` of them in a row gets banned (418)."""
    count = desk.ignored_429[ip] = desk.ignored_429.get(ip, 0) + 1
    if count > desk.config.ignored_429_before_ban:
        desk.banned_until_ms[ip] = desk.now_ms() + desk.config.ban_seconds * 1000
        desk.ignored_429[ip] = 0
    return _response({"code": code, "msg": msg}, 429,
                     {**headers, "Retry-After": str(window.seconds_left(desk.now_ms()))})


def _authenticate(desk: TradingDesk, request: web.Request, params: dict[str, str], body: str) -> str:
    name, key = api_key_secret(request.headers.get("X-MBX-APIKEY"), desk.config.keys)
    payload = signed_payload(request.rel_url.raw_query_string, body)
    check_signature(key.secret, payload, params.pop("signature", None))
    check_timestamp(params, desk.now_ms())
    return name


@web.middleware
async def _served_rate_limits(request: web.Request,
                              handler: Handler) -> web.StreamResponse:
    """exchangeInfo (served by the market side) advertises the limits this side enforces."""
    response = await handler(request)
    if request.path != "/api/v3/exchangeInfo" or response.status != 200 \
            or not isinstance(response, web.Response):
        return response
    body = json.loads(response.body if isinstance(response.body, bytes) else b"{}")
    body["rateLimits"] = [dict(spec) for spec in request.app[TRADING_DESK].config.rate_limits]
    response.body = json.dumps(body).encode()
    return response


@dataclass(frozen=True, slots=True)
class TradingVenue:
    rest_url: str
    ws_url: str
    app: web.Application

    @property
    def ws_api_url(self) -> str:
        return f"{self.ws_url}/ws-api/v3"

    @property
    def desk(self) -> TradingDesk:
        return self.app[TRADING_DESK]


@asynccontextmanager
async def serve_trading_venue(data: VenueData, *, config: TradingConfig | None = None, speed: float = 1.0,
                              **venue: Any) -> AsyncIterator[TradingVenue]:
    """A venue with its trading side on 127.0.0.1 (a free port) for the duration of the block."""
    from adapters.simulated.venue.app import create_venue_app, serve_venue

    app = create_venue_app(data, speed=speed, extra_setup=[trading_setup(config)], **venue)
    async with serve_venue(app) as running:
        yield TradingVenue(running.rest_url, running.ws_url, app)
