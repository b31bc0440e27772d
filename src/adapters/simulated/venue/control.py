"""Live control messages of a market-stream connection (binance-spot-api.md 4.2), without I/O.

SUBSCRIBE / UNSUBSCRIBE / LIST_SUBSCRIPTIONS / SET_PROPERTY / GET_PROPERTY with Binance's replies.
Errors use the wrapper observed on production: `{"error": {"code": 2, "msg": "Invalid request: ..."},
"id": ...}`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

_INTERVALS = "1s|1m|3m|5m|15m|30m|1h|2h|4h|6h|8h|12h|1d|3d|1w|1M"
_STREAM = re.compile(
    rf"^[a-z0-9]+@(kline_({_INTERVALS})|miniTicker|ticker|bookTicker|aggTrade|trade|avgPrice"
    r"|depth(5|10|20)?(@(100|1000)ms)?)$")
ALL_MARKET_STREAMS = frozenset({"!miniTicker@arr"})


def is_valid_stream(name: str) -> bool:
    return name in ALL_MARKET_STREAMS or _STREAM.match(name) is not None


@dataclass(slots=True)
class Subscriptions:
    """What one connection receives; `combined` wraps payloads as {"stream", "data"}."""

    combined: bool
    max_streams: int
    streams: set[str] = field(default_factory=set)

    def add_initial(self, names: Iterable[str]) -> None:
        self.streams.update(n for n in names if is_valid_stream(n))


def _error(code: int, msg: str, request_id: Any) -> dict[str, Any]:
    return {"error": {"code": code, "msg": msg}, "id": request_id}


def _valid_id(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return 0 <= value < 2**63
    return isinstance(value, str) and len(value) <= 36


def handle_control(subs: Subscriptions, text: str) -> dict[str, Any]:
    """Apply one control message and return the reply to send."""
    try:
        message = json.loads(text)
    except ValueError as exc:
        return _error(3, f"Invalid JSON: {exc}", None)
    if not isinstance(message, dict):
        return _error(2, "Invalid request: expected a JSON object", None)
    request_id = message.get("id")
    if "id" not in message or not _valid_id(request_id):
        return _error(2, "Invalid request: request ID must be an unsigned integer or a string of up to "
                         "36 characters", None)
    method = message.get("method")
    params = message.get("params", [])
    if not isinstance(params, list):
        return _error(2, "Invalid request: 'params' must be an array", request_id)
    if method in ("SUBSCRIBE", "UNSUBSCRIBE"):
        names = params
        if not names or not all(isinstance(n, str) and is_valid_stream(n) for n in names):
            return _error(2, "Invalid request: invalid stream", request_id)
        if method == "UNSUBSCRIBE":
            subs.streams.difference_update(names)
            return {"result": None, "id": request_id}
        if len(subs.streams | set(names)) > subs.max_streams:
            return _error(2, f"Invalid request: too many streams (at most {subs.max_streams} a connection)",
                          request_id)
        subs.streams.update(names)
        return {"result": None, "id": request_id}
    if method == "LIST_SUBSCRIPTIONS":
        return {"result": sorted(subs.streams), "id": request_id}
    if method in ("SET_PROPERTY", "GET_PROPERTY"):
        return _property(subs, method, params, request_id)
    return _error(2, f"Invalid request: unknown method {method!r}", request_id)


def _property(subs: Subscriptions, method: str, params: list[Any], request_id: Any) -> dict[str, Any]:
    if not params or params[0] != "combined":
        return _error(0, "Unknown property", request_id)
    if method == "GET_PROPERTY":
        return {"result": subs.combined, "id": request_id}
    if len(params) != 2 or not isinstance(params[1], bool):
        return _error(1, "Invalid value type: expected Boolean", request_id)
    subs.combined = params[1]
    return {"result": None, "id": request_id}
