"""Stage probes for bench_tick_to_order.py (benchmark only, nothing in src/ knows of them).

Every stamp is time.perf_counter_ns(). The last stage is the order's first bytes written to the socket:
`socket.socket.send/sendall/sendmsg` are wrapped for the run, so the stamp is the same for any HTTP
library (requests in a worker thread, aiohttp on the loop). Garbage collections are recorded through
gc.callbacks, to tell which orders had one land on their path.
"""

from __future__ import annotations

import gc
import hashlib
import hmac
import os
import socket
import statistics
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from time import perf_counter_ns
from typing import Any
from urllib.parse import urlencode

import aiohttp
from yarl import URL

from adapters.simulated.venue.trading_desk import DEFAULT_API_KEY, DEFAULT_API_SECRET

ORDER_LINE = b"POST /api/v3/order?"


class Probes:
    """The stamps of the order in flight (one at a time) and the collections seen."""

    def __init__(self) -> None:
        self.frame_ns = 0  # the feed starts handling the frame's text
        self.acquired_ns = 0  # the rate limiter let the request go
        self.handed_ns = 0  # the signed request handed to the HTTP library (the adapter's on_send)
        self.wire_ns = 0  # its first bytes written to the socket
        self.collections: list[tuple[int, int, int]] = []  # (start, stop, generation)
        self._gc_start = 0

    def on_gc(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._gc_start = perf_counter_ns()
        else:
            self.collections.append((self._gc_start, perf_counter_ns(), int(info["generation"])))

    def collections_within(self, start_ns: int, stop_ns: int) -> int:
        return sum(1 for begin, end, _ in self.collections if begin < stop_ns and end > start_ns)


@contextmanager
def probing(probes: Probes) -> Iterator[Probes]:
    """Wrap the socket writes and watch the collector while the block runs."""
    originals = {name: getattr(socket.socket, name) for name in ("send", "sendall", "sendmsg")}

    def stamped(name: str) -> Callable[..., Any]:
        original = originals[name]

        def write(sock: socket.socket, data: Any, *args: Any) -> Any:
            first = data[0] if name == "sendmsg" else data
            if bytes(first[:len(ORDER_LINE)]) == ORDER_LINE and not probes.wire_ns:
                probes.wire_ns = perf_counter_ns()
            return original(sock, data, *args)
        return write

    for name in originals:
        setattr(socket.socket, name, stamped(name))
    gc.callbacks.append(probes.on_gc)
    try:
        yield probes
    finally:
        gc.callbacks.remove(probes.on_gc)
        for name, original in originals.items():
            setattr(socket.socket, name, original)


def load() -> str:
    return f"load {os.getloadavg()[0]:.2f}"


def percentile(ordered: list[float], q: float) -> float:
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summary(values: list[float]) -> str:
    ordered = sorted(values)
    return (f"p50 {statistics.median(ordered):7.3f}  p99 {percentile(ordered, 0.99):7.3f}  "
            f"max {ordered[-1]:7.3f} ms")


@dataclass(frozen=True, slots=True)
class Stages:
    """One order's stamps (ns) and the collections that ran on its path."""

    frame: int
    event: int  # the market event handed to the bot
    acquired: int
    handed: int
    wire: int
    collections: int

    @property
    def total_ms(self) -> float:
        return (self.wire - self.frame) / 1e6


@dataclass
class Measured:
    adapter: list[Stages] = field(default_factory=list)
    bare: list[Stages] = field(default_factory=list)  # the reference: a bare aiohttp POST of the order
    events: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # the bot process's (all threads) while measuring


class BareOrders:
    """The reference: the same signed POST /api/v3/order, built inline and sent by a bare aiohttp session
    on the same loop (what any adapter would at least have to do)."""

    def __init__(self, rest_url: str, clock: Any) -> None:
        self._url, self._clock, self._offset_ms = rest_url.rstrip("/"), clock, 0
        self._secret = DEFAULT_API_SECRET.encode()
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> BareOrders:
        self._session = aiohttp.ClientSession(headers={"X-MBX-APIKEY": DEFAULT_API_KEY})
        async with self._session.get(f"{self._url}/api/v3/time") as response:  # also opens the connection
            self._offset_ms = (await response.json())["serverTime"] - self._clock.now_ms()
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._session is not None
        await self._session.close()

    async def buy(self, symbol: str, client_id: str) -> None:
        assert self._session is not None
        query = urlencode({"symbol": symbol, "side": "BUY", "type": "MARKET", "quoteOrderQty": "10",
                           "newClientOrderId": client_id, "newOrderRespType": "FULL", "recvWindow": 5000,
                           "timestamp": self._clock.now_ms() + self._offset_ms})
        signature = hmac.new(self._secret, query.encode(), hashlib.sha256).hexdigest()
        url = URL(f"{self._url}/api/v3/order?{query}&signature={signature}", encoded=True)
        async with self._session.post(url) as response:
            await response.read()


def report(measured: Measured, target_ms: float) -> None:
    adapter, bare = measured.adapter, measured.bare
    print(f"  feed (frame -> event)           {summary([(s.event - s.frame) / 1e6 for s in adapter])}  "
          f"{load()}")
    print(f"  rules + limiter (-> acquired)   {summary([(s.acquired - s.event) / 1e6 for s in adapter])}")
    print(f"  sign + hand-off (-> HTTP lib)   {summary([(s.handed - s.acquired) / 1e6 for s in adapter])}")
    print(f"  HTTP lib (-> bytes on socket)   {summary([(s.wire - s.handed) / 1e6 for s in adapter])}")
    totals, refs = sorted(s.total_ms for s in adapter), sorted(s.total_ms for s in bare)
    p99 = percentile(totals, 0.99)
    print(f"  tick-to-order ({len(totals)} orders)    {summary(totals)}  {load()}  target p99 <= "
          f"{target_ms:g} ms: {'met' if p99 <= target_ms else 'NOT met'}")
    print(f"  reference, bare aiohttp ({len(refs)})  {summary(refs)}  {load()}")
    print(f"  ratio adapter/reference: p50 x{statistics.median(totals) / statistics.median(refs):.2f}  "
          f"p99 x{p99 / percentile(refs, 0.99):.2f}; orders with a gc on the path: "
          f"{sum(1 for s in adapter if s.collections)} adapter, {sum(1 for s in bare if s.collections)} "
          f"reference")


def gc_setting() -> str:
    return f"gc thresholds {gc.get_threshold()}, {gc.get_freeze_count()} objects frozen"
