"""How the venue checks a signed request, as Binance does (binance-spot-api.md 1.2-1.4 and 9.3).

Parameters come from the raw query string and a form body (the query wins); the HMAC-SHA256 signature
covers the raw query without its `signature` pair, followed by the raw body; the timestamp must fall in
recvWindow on the venue's clock and not be 1000 ms ahead of it.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

DEFAULT_RECV_WINDOW = 5000
MAX_RECV_WINDOW = 60000
_MANDATORY = "Mandatory parameter '%s' was not sent, was empty/null, or malformed."


class ApiError(Exception):
    """An error answer: HTTP status and Binance's {code, msg}."""

    def __init__(self, status: int, code: int, msg: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(msg)
        self.status, self.code, self.msg = status, code, msg
        self.headers: dict[str, str] = dict(headers or {})

    def body(self) -> dict[str, object]:
        return {"code": self.code, "msg": self.msg}


@dataclass(frozen=True)
class ApiKey:
    """One key of the venue: its secret and what apiRestrictions reports about it."""

    secret: str
    enable_withdrawals: bool = False
    ip_restrict: bool = True
    restrictions: Mapping[str, object] = field(default_factory=dict)


def request_params(raw_query: str, body: str) -> dict[str, str]:
    """Query and form-body parameters; a name repeated in the query is -1101, the query wins the body."""
    params: dict[str, str] = {}
    for name, value in parse_qsl(body, keep_blank_values=True):
        params[name] = value
    seen: set[str] = set()
    for name, value in parse_qsl(raw_query, keep_blank_values=True):
        if name in seen:
            raise ApiError(400, -1101, f"Duplicate values for parameter '{name}'.")
        seen.add(name)
        params[name] = value
    return params


def signed_payload(raw_query: str, body: str) -> str:
    kept = [pair for pair in raw_query.split("&") if pair and not pair.startswith("signature=")]
    return "&".join(kept) + body


def hmac_signature(secret: str, payload: str) -> str:
    return hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()


def api_key_secret(header: str | None, keys: Mapping[str, ApiKey]) -> tuple[str, ApiKey]:
    """The key named by X-MBX-APIKEY: -2014 when absent or malformed, -2015 when unknown."""
    if not header or not header.isprintable() or " " in header:
        raise ApiError(401, -2014, "API-key format invalid.")
    key = keys.get(header)
    if key is None:
        raise ApiError(401, -2015, "Invalid API-key, IP, or permissions for action.")
    return header, key


def check_signature(secret: str, payload: str, signature: str | None) -> None:
    if not signature:
        raise ApiError(400, -1102, _MANDATORY % "signature")
    if not hmac.compare_digest(hmac_signature(secret, payload), signature.lower()):
        raise ApiError(400, -1022, "Signature for this request is not valid.")


def check_timestamp(params: Mapping[str, str], server_ms: int) -> None:
    """Binance's rule: timestamp < server + 1000 and server - timestamp <= recvWindow."""
    raw = params.get("timestamp")
    if not raw:
        raise ApiError(400, -1102, _MANDATORY % "timestamp")
    try:
        timestamp = int(raw)
        window = float(params.get("recvWindow", DEFAULT_RECV_WINDOW))
    except ValueError:
        raise ApiError(400, -1100, "Illegal characters found in parameter 'timestamp'; "
                                   "legal range is '^[0-9]{1,20}$'.") from None
    if timestamp > 10**14:  # microseconds are accepted too
        timestamp //= 1000
    if not 0 < window <= MAX_RECV_WINDOW:
        raise ApiError(400, -1130, "Data sent for parameter 'recvWindow' is not valid.")
    if timestamp >= server_ms + 1000:
        raise ApiError(400, -1021, "Timestamp for this request was 1000ms ahead of the server's time.")
    if server_ms - timestamp > window:
        raise ApiError(400, -1021, "Timestamp for this request is outside of the recvWindow.")


def ws_signed_payload(params: Mapping[str, object]) -> str:
    """WebSocket API: every parameter but the signature, sorted by name, as name=value pairs."""
    return "&".join(f"{name}={params[name]}" for name in sorted(params) if name != "signature")
