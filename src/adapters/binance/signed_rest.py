"""binance-connector's Spot behind the rate limiter, the server-time offset and the port errors.

binance-connector is synchronous: each call runs in `asyncio.to_thread`, on a Spot owned by the worker
thread (requests sessions are not shared between threads). Its `sign_request` stamps local time; ours
stamps local time plus the offset measured against GET /api/v3/time, and adds recvWindow.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Mapping
from decimal import Decimal
from enum import Enum
from typing import Any

import requests
from binance.error import ClientError, Error, ServerError
from binance.spot import Spot
from pydantic import SecretStr

from adapters.binance.errors import redact, to_port_error
from adapters.binance.rate_limiter import RateLimiter
from ports.clock import Clock
from ports.errors import ClockSkew, ExchangeError, ExchangeUnavailable, RateLimited

SendProbe = Callable[[str, str], None]


def wire(value: Any) -> Any:
    """A parameter as Binance wants it: Decimal as plain digits (never `1E-8`), never a float."""
    if isinstance(value, float):
        raise TypeError(f"float {value!r} sent to Binance: pass a Decimal or a decimal string")
    if isinstance(value, Decimal):
        text = format(value, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    if isinstance(value, Enum):
        return value.value
    return value


class _Spot(Spot):  # type: ignore[misc]
    """Spot that stamps requests with the exchange's time and reports each request as it leaves."""

    def __init__(self, api_key: str, api_secret: str, *, base_url: str, timeout: float,
                 timestamp_ms: Callable[[], int], on_send: SendProbe | None) -> None:
        super().__init__(api_key, api_secret, base_url=base_url, timeout=timeout, show_limit_usage=True)
        self._timestamp_ms = timestamp_ms
        self._on_send = on_send

    def sign_request(self, http_method: str, url_path: str, payload: dict[str, Any] | None = None) -> Any:
        payload = dict(payload or {})
        payload["timestamp"] = self._timestamp_ms()
        payload["signature"] = self._get_sign(self._prepare_params(payload))
        return self.send_request(http_method, url_path, payload)

    def send_request(self, http_method: str, url_path: str, payload: dict[str, Any] | None = None) -> Any:
        if self._on_send is not None:
            self._on_send(http_method, url_path)
        return super().send_request(http_method, url_path, payload)


class SignedRest:
    def __init__(self, api_key: SecretStr, api_secret: SecretStr, *, base_url: str, timeout: float,
                 recv_window: int, clock: Clock, limiter: RateLimiter,
                 on_send: SendProbe | None = None) -> None:
        self._key, self._secret = api_key, api_secret
        self.base_url, self._timeout, self.recv_window = base_url.rstrip("/"), timeout, recv_window
        self._clock, self.limiter, self.on_send = clock, limiter, on_send
        self.offset_ms = 0
        self._local = threading.local()
        limiter.set_clock(self.timestamp_ms)

    def timestamp_ms(self) -> int:
        """Now on the exchange's clock."""
        return self._clock.now_ms() + self.offset_ms

    def _spot(self) -> _Spot:
        spot: _Spot | None = getattr(self._local, "spot", None)
        if spot is None:
            spot = _Spot(self._key.get_secret_value(), self._secret.get_secret_value(),
                         base_url=self.base_url, timeout=self._timeout, timestamp_ms=self.timestamp_ms,
                         on_send=lambda method, path: self.on_send(method, path) if self.on_send else None)
            self._local.spot = spot
        return spot

    async def sync_time(self) -> int:
        """Measure the offset to the exchange clock (half the round trip counts as transit)."""
        before = self._clock.now_ms()
        data = await self.call("time", weight=1, signed=False)
        after = self._clock.now_ms()
        self.offset_ms = int(data["serverTime"]) - (before + after) // 2
        return self.offset_ms

    async def call(self, method: str, *, weight: int, orders: int = 0, signed: bool = True,
                   **params: Any) -> Any:
        """Call `Spot.<method>(**params)`; one resync-and-retry when Binance says the clock is off."""
        try:
            return await self._call_once(method, weight, orders, signed, params)
        except ClockSkew:
            await self.sync_time()
            return await self._call_once(method, weight, orders, signed, params)

    async def _call_once(self, method: str, weight: int, orders: int, signed: bool,
                         params: dict[str, Any]) -> Any:
        args = {name: wire(value) for name, value in params.items() if value is not None}
        if signed:
            args["recvWindow"] = self.recv_window
        await self.limiter.acquire(weight, orders)
        sent_at = self.timestamp_ms()
        try:
            result = await asyncio.to_thread(lambda: getattr(self._spot(), method)(**args))
        except ClientError as exc:
            raise self._client_error(exc, sent_at) from None
        except ServerError as exc:
            text = f"Binance HTTP {exc.status_code} on {method}: {str(exc.message)[:200]}; status unknown"
            raise ExchangeUnavailable(self._clean(text)) from None
        except requests.Timeout:
            raise ExchangeUnavailable(f"Binance {method} timed out after {self._timeout} s; "
                                      "execution status unknown") from None
        except requests.RequestException as exc:
            raise ExchangeUnavailable(self._clean(f"Binance {method}: network error {type(exc).__name__}: "
                                                  f"{exc}")) from None
        except (Error, KeyError, ValueError) as exc:  # connector validation, or a 4xx body without code/msg
            raise ExchangeError(self._clean(f"Binance {method}: {type(exc).__name__}: {exc}")) from None
        self.limiter.observe(result.get("limit_usage", {}), sent_at_ms=sent_at)
        return result["data"]

    def _client_error(self, exc: ClientError, sent_at: int) -> ExchangeError:
        headers: Mapping[str, str] = exc.header or {}
        self.limiter.observe(headers, sent_at_ms=sent_at)
        retry_after = _retry_after(headers)
        error = to_port_error(exc.status_code, exc.error_code, self._clean(str(exc.error_message)),
                              retry_after=retry_after)
        if isinstance(error, RateLimited):
            (self.limiter.ban if error.banned else self.limiter.back_off)(error.retry_after)
        return error

    def _clean(self, text: str) -> str:
        return redact(text, (self._key.get_secret_value(), self._secret.get_secret_value()))


def _retry_after(headers: Mapping[str, str]) -> float | None:
    for key, value in headers.items():
        if key.lower() == "retry-after":
            try:
                return float(value)
            except ValueError:
                return None
    return None
