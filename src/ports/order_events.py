"""Order updates pushed by the exchange (the user-data stream): an optional capability of an Exchange.

With it the core learns at once that an OCO leg filled, and stops polling open positions while the stream
is healthy; without it (or while the stream is down) it polls, as before.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol, runtime_checkable

from domain.order_events import OrderEvent


@runtime_checkable
class OrderEvents(Protocol):
    def order_events(self) -> AsyncIterator[OrderEvent]:
        """Every order change of the account from the moment the exchange was entered, in arrival order,
        with OrderStreamDown / OrderStreamRestarted when the stream breaks and comes back. One consumer."""
        ...
