"""Never place an order twice (the Exchange port's promise), on an exchange that only half helps.

Binance refuses a newClientOrderId already used by an OPEN order, but accepts it again once that order
is filled: a blind retry of a filled market buy would buy twice. So:
* `PlacedOrders` remembers what this adapter placed under which client id: a retry of the same request
  returns the order's current state, another request under that id is refused (-2010 Duplicate);
* `send_once` resends only after looking the order up by its client id when the first answer was lost
  (timeout, 5xx, -1007: execution status unknown).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

from adapters.binance.errors import DUPLICATE_ORDER, is_duplicate_order
from ports.errors import ExchangeError, ExchangeUnavailable, OrderNotFound, OrderRejected

T = TypeVar("T")
R = TypeVar("R")


class PlacedOrders(Generic[R]):
    """(symbol, client id) -> (request, exchange id) of what this adapter placed; the oldest forgotten."""

    def __init__(self, capacity: int = 10_000) -> None:
        self._capacity = capacity
        self._placed: OrderedDict[tuple[str, str], tuple[R, int]] = OrderedDict()

    def known_id(self, symbol: str, client_id: str, request: R) -> int | None:
        found = self._placed.get((symbol, client_id))
        if found is None:
            return None
        if found[0] != request:
            raise OrderRejected(f"Binance -2010: {DUPLICATE_ORDER} (client id {client_id} was used by "
                                "another order of this run)", code=-2010)
        return found[1]

    def remember(self, symbol: str, client_id: str, request: R, exchange_id: int) -> None:
        self._placed[(symbol, client_id)] = (request, exchange_id)
        while len(self._placed) > self._capacity:
            self._placed.popitem(last=False)


async def send_once(send: Callable[[], Awaitable[Any]], lookup: Callable[[], Awaitable[T | None]],
                    parse: Callable[[Any], T], retries: int) -> T:
    """Send; when the outcome is unknown, look the order up by its id before sending it again."""
    last: ExchangeError | None = None
    for _ in range(retries + 1):
        try:
            return parse(await send())
        except ExchangeUnavailable as exc:
            last = exc
        except OrderRejected as exc:
            if not is_duplicate_order(exc):
                raise
            last = exc
        try:
            found = await lookup()
        except OrderNotFound:
            found = None
        except ExchangeUnavailable:
            raise last from None
        if found is not None:
            return found
        if isinstance(last, OrderRejected):  # a duplicate we cannot see: do not insist
            raise last
    assert last is not None
    raise last
