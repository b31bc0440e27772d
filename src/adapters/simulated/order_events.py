"""The matching engine's order changes as the core's order events (ports.order_events), in process: what the
venue sends over its WebSocket API as executionReport and listStatus, for paper trading.

Nothing is recorded until someone asks for the events (a backtest never does: it stays on the tick path),
then every change is queued. As on the venue, a batch of changes is delivered first, then the status of
the OCO lists it touched, once per change of status.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace

from adapters.simulated.matching import MatchingEngine, OrderUpdate
from domain.order_events import OrderChanged, OrderEvent, OrderListChanged
from domain.orders import ListStatus


class EngineOrderEvents:
    def __init__(self, engine: MatchingEngine) -> None:
        self._engine = engine
        self._queue: asyncio.Queue[OrderUpdate] | None = None
        self._list_states: dict[int, ListStatus] = {}

    def events(self) -> AsyncIterator[OrderEvent]:
        if self._queue is None:
            self._queue = asyncio.Queue()
            self._engine.listeners.append(self._queue.put_nowait)
        return self._follow(self._queue)

    async def _follow(self, queue: asyncio.Queue[OrderUpdate]) -> AsyncIterator[OrderEvent]:
        while True:
            batch = [await queue.get()]
            while not queue.empty():
                batch.append(queue.get_nowait())
            for update in batch:
                report = update.report
                yield OrderChanged(replace(report, fills=() if update.fill is None else (update.fill,)),
                                   update.execution, report.update_time_ms or report.time_ms)
            for list_id in sorted({u.report.order_list_id for u in batch} - {-1}):
                listing = self._engine.get_order_list(order_list_id=list_id)
                if self._list_states.get(list_id) is not listing.status:
                    self._list_states[list_id] = listing.status
                    times = [o.update_time_ms or o.time_ms for o in listing.orders]
                    yield OrderListChanged(listing.symbol, list_id, listing.list_client_id, listing.status,
                                           tuple(o.order_id for o in listing.orders), max(times, default=0))
