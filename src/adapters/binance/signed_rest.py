"""Binance REST behind the rate limiter, the server-time offset and the port errors.

binance-connector's Spot names the endpoints and checks their parameters (rest_request.py); the request
is signed and sent here, on the event loop, through one kept-alive aiohttp session (rest_session.py):
an order goes from the decision to the socket without a thread hand-off. Requests are stamped with local
time plus the offset measured against GET /api/v3/time, and carry recvWindow.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Mapping
from decimal import Decimal
from enum import Enum
from typing import Any

import aiohttp
from binance.error import ClientError, Error, ServerError
from pydantic import SecretStr

from adapters.binance.errors import redact, to_port_error
from adapters.binance.rate_limiter import RateLimiter
from adapters.binance.rest_request import Signer, rest_request
from adapters.binance.rest_session import RestSession
from ports.clock import Clock
from ports.errors import ClockSkew, ExchangeError, ExchangeUnavailable, RateLimited

SendProbe = Callable[[str, str], None]
KEEP_WARM_S = 30.0  # an idle connection gets a ping (weight 1) this often: orders find it open


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


class SignedRest:
    def __init__(self, api_key: SecretStr, api_secret: SecretStr, *, base_url: str, timeout: float,
                 recv_window: int, clock: Clock, limiter: RateLimiter,
                 on_send: SendProbe | None = None) -> None:
        self._key, self._secret = api_key, api_secret
        self.base_url, self._timeout, self.recv_window = base_url.rstrip("/"), timeout, recv_window
        self._clock, self.limiter, self.on_send = clock, limiter, on_send
        self.offset_ms = 0
        self._signer = Signer(api_secret.get_secret_value())
        self._session = RestSession(self.base_url, api_key.get_secret_value(), timeout)
        self.keep_warm_s = KEEP_WARM_S
        self._warmer: asyncio.Task[None] | None = None
        limiter.set_clock(self.timestamp_ms)

    def timestamp_ms(self) -> int:
        """Now on the exchange's clock."""
        return self._clock.now_ms() + self.offset_ms

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
        if self._warmer is None or self._warmer.done():
            self._warmer = asyncio.get_running_loop().create_task(self._keep_warm(), name="rest warmer")
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
        try:  # the connector's own checks, before any weight is spent
            request = rest_request(method, args)
        except Error as exc:
            raise ExchangeError(self._clean(f"Binance {method}: {type(exc).__name__}: {exc}")) from None
        await self.limiter.acquire(weight, orders)
        sent_at = self.timestamp_ms()
        try:
            target = self._signer.path_and_query(request, sent_at)
            if self.on_send is not None:
                self.on_send(request.http_method, request.path)
            answer = await self._session.send(request.http_method, target)
        except ClientError as exc:
            raise self._client_error(exc, sent_at) from None
        except ServerError as exc:
            text = f"Binance HTTP {exc.status_code} on {method}: {str(exc.message)[:200]}; status unknown"
            raise ExchangeUnavailable(self._clean(text)) from None
        except TimeoutError:
            raise ExchangeUnavailable(f"Binance {method} timed out after {self._timeout} s; "
                                      "execution status unknown") from None
        except (aiohttp.ClientError, OSError) as exc:
            raise ExchangeUnavailable(self._clean(f"Binance {method}: network error {type(exc).__name__}: "
                                                  f"{exc}")) from None
        except (KeyError, ValueError) as exc:  # a 4xx body without code/msg
            raise ExchangeError(self._clean(f"Binance {method}: {type(exc).__name__}: {exc}")) from None
        self.limiter.observe(answer.limit_usage, sent_at_ms=sent_at)
        return answer.data

    async def close(self) -> None:
        warmer, self._warmer = self._warmer, None
        if warmer is not None and warmer.get_loop() is asyncio.get_running_loop():
            warmer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await warmer
        await self._session.close()

    async def _keep_warm(self) -> None:
        """Ping when the connection has been idle `keep_warm_s`, so that the next order finds it open: no
        TCP and TLS set-up on an order's path after a quiet spell (servers close idle connections)."""
        while True:
            idle = self._session.idle_s()
            if idle < self.keep_warm_s:
                await asyncio.sleep(self.keep_warm_s - idle)
                continue
            with contextlib.suppress(ExchangeError):
                await self.call("ping", weight=1, signed=False)

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
