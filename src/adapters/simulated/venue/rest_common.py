"""The venue's REST plumbing shared by its routes: Binance error JSON, weights and headers, parameters."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from adapters.simulated.venue.state import VENUE_STATE, VenueState

CONTENT_TYPE = "application/json;charset=UTF-8"
MANDATORY = "Mandatory parameter '%s' was not sent, was empty/null, or malformed."
ILLEGAL = "Illegal characters found in parameter '%s'; legal range is '%s'."
_SYMBOLS_RANGE = '^\\[("[A-Z0-9-_.]{1,20}"(,"[A-Z0-9-_.]{1,20}"){0,}){0,1}\\]$'


class BinanceError(Exception):
    """A request Binance would refuse: becomes `{"code", "msg"}` with HTTP `status`."""

    def __init__(self, code: int, msg: str, status: int = 400) -> None:
        super().__init__(msg)
        self.code, self.msg, self.status = code, msg, status


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(body=json.dumps(body).encode(), status=status,
                        headers={"Content-Type": CONTENT_TYPE, **(headers or {})})


Handler = Callable[[web.Request, VenueState], Awaitable[Any]]
Route = Callable[[web.Request], Awaitable[web.Response]]


def endpoint(weight: Callable[[web.Request], int]) -> Callable[[Handler], Route]:
    """Count the request weight, turn BinanceError into Binance's error JSON, add the weight header."""
    def wrap(handler: Handler) -> Route:
        async def route(request: web.Request) -> web.Response:
            state = request.app[VENUE_STATE]
            if state.faults.rest_unavailable(state.clock.now_ms(), market=True):
                return web.Response(status=503, text="Service Unavailable (venue fault)")
            headers: dict[str, str] = {}
            if state.shared_gate is not None:  # the trading side counts market weight with signed weight
                refusal = state.shared_gate(request.remote or "?", weight(request), headers)
                if refusal is not None:
                    return json_response(refusal[1], refusal[0], headers)
            else:
                used = state.weights.add(request.remote or "?", weight(request))
                headers["X-MBX-USED-WEIGHT-1M"] = str(used)
                if used > state.weights.limit:
                    headers["Retry-After"] = str(state.weights.seconds_to_reset())
                    return json_response({"code": -1003, "msg": "Too many requests; current limit of IP is "
                                          f"{state.weights.limit} requests per minute."}, 429, headers)
            try:
                return json_response(await handler(request, state), headers=headers)
            except BinanceError as exc:
                return json_response({"code": exc.code, "msg": exc.msg}, exc.status, headers)
        return route
    return wrap


def symbol_param(request: web.Request, state: VenueState, *, required: bool = True) -> str | None:
    symbol = request.query.get("symbol")
    if symbol is None or symbol == "":
        if required:
            raise BinanceError(-1102, MANDATORY % "symbol")
        return None
    if symbol not in state.tapes:
        raise BinanceError(-1121, "Invalid symbol.")
    return symbol


def symbols_param(request: web.Request, state: VenueState) -> list[str] | None:
    raw = request.query.get("symbols")
    if raw is None:
        return None
    try:
        names = json.loads(raw)
    except ValueError:
        raise BinanceError(-1100, ILLEGAL % ("symbols", _SYMBOLS_RANGE)) from None
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise BinanceError(-1100, ILLEGAL % ("symbols", _SYMBOLS_RANGE))
    for name in names:
        if name not in state.tapes:
            raise BinanceError(-1121, "Invalid symbol.")
    return names


def int_param(request: web.Request, name: str, default: int | None = None) -> int | None:
    raw = request.query.get(name)
    if raw is None:
        return default
    if not raw.isdigit():
        raise BinanceError(-1100, ILLEGAL % (name, "^[0-9]{1,20}$"))
    return int(raw)
