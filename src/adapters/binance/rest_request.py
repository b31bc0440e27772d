"""binance-connector's Spot used as the table of endpoints only: each method's own checks, HTTP method, path
and parameters, captured instead of sent. The bot signs and sends them itself, on its event loop
(rest_session.py): no worker thread between the decision and the socket.

The query string and the signature are the connector's (`encoded_string`, HMAC-SHA256 hex of the query),
the signature pair last, so the bytes on the wire are the ones the connector would send.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from binance.lib.utils import encoded_string
from binance.spot import Spot


@dataclass(frozen=True, slots=True)
class RestRequest:
    http_method: str
    path: str
    params: dict[str, Any]
    signed: bool


class _Recorder(Spot):  # type: ignore[misc]
    """A Spot whose four ways of sending return the request instead."""

    def __init__(self) -> None:  # no session, no key: nothing is sent from here
        pass

    def sign_request(self, http_method: str, url_path: str, payload: dict[str, Any] | None = None) -> Any:
        return RestRequest(http_method, url_path, dict(payload or {}), True)

    def limited_encoded_sign_request(self, http_method: str, url_path: str,
                                     payload: dict[str, Any] | None = None) -> Any:
        return RestRequest(http_method, url_path, dict(payload or {}), True)

    def send_request(self, http_method: str, url_path: str, payload: dict[str, Any] | None = None) -> Any:
        return RestRequest(http_method, url_path, dict(payload or {}), False)

    def limit_request(self, http_method: str, url_path: str, payload: dict[str, Any] | None = None) -> Any:
        return self.send_request(http_method, url_path, payload)

    def query(self, url_path: str, payload: dict[str, Any] | None = None) -> Any:
        return self.send_request("GET", url_path, payload)


_RECORDER = _Recorder()


def rest_request(method: str, params: dict[str, Any]) -> RestRequest:
    """What `Spot.<method>(**params)` would send (the connector's checks raise as they would)."""
    request = getattr(_RECORDER, method)(**params)
    if not isinstance(request, RestRequest):
        raise TypeError(f"binance-connector's Spot.{method} did not make one request")
    return request


class Signer:
    """HMAC-SHA256 with the key schedule done once (a copy per request, microseconds)."""

    def __init__(self, secret: str) -> None:
        self._keyed = hmac.new(secret.encode("utf-8"), digestmod=hashlib.sha256)

    def path_and_query(self, request: RestRequest, timestamp_ms: int) -> str:
        """`/path?query` for the request line, signed when the endpoint is."""
        params = {name: value for name, value in request.params.items() if value is not None}
        if request.signed:
            params["timestamp"] = timestamp_ms
        query = encoded_string(params)
        if request.signed:
            mac = self._keyed.copy()
            mac.update(query.encode("utf-8"))
            query = f"{query}&signature={mac.hexdigest()}"
        return f"{request.path}?{query}" if query else request.path
