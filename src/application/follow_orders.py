"""Follow the exchange's order events (ports.order_events, the user-data stream): an OCO leg that fills
closes its position at once, in the position's lane; polling is only the fallback while the stream is down.

- Health: polling (oco_watch.py) stays on until the stream is trusted: from start-up's REST
  reconcile on, if the exchange offers events. OrderStreamDown turns it back on; OrderStreamRestarted asks
  for a REST reconcile (events were lost meanwhile) and polling stops only when one that began after the
  restart has completed.
- News: every leg's latest state (its fills gathered from the TRADE events, deduplicated by trade id)
  and every list that ended, by list id, bounded. A leg FILLED with all its fills, or a list ALL_DONE whose
  legs all ended with their fills, is the exit's real fill; anything less (an event lost on the way) is
  asked through REST once. News of a list no position holds (yet) waits for it: an OCO can fill before
  its position is registered.
- Exactly once: the exit runs in the position's lane (or at its next tick when the lane is busy), where a
  poll or reconcile of the same position also runs; the first to see the list finished closes the
  position, the others find it gone (ManagePositions.list_ended compares list ids).
- A resting maker entry is asked about only when the stream said it changed (or at its deadline, or while
  polling): with a healthy stream an unfilled LIMIT_MAKER costs no query per tick.
- Backtests do not follow events: their exits stay on the tick path, their trades unchanged.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal

from loguru import logger

from application.manage_positions import ManagePositions
from domain.order_events import (
    OrderChanged,
    OrderEvent,
    OrderListChanged,
    OrderStreamDown,
    OrderStreamRestarted,
)
from domain.orders import ListStatus, OrderListReport, OrderReport, OrderStatus
from ports.clock import Clock
from ports.order_events import OrderEvents

LaneRunner = Callable[[str, Callable[[], Awaitable[object]]], Awaitable[None]]
KEPT_LISTS = 1_000  # news of this many lists is kept; a position's OCO finishes long before it is evicted


@dataclass
class _ListNews:
    symbol: str
    legs: dict[int, OrderReport] = field(default_factory=dict)
    ended: OrderListChanged | None = None

    def listing(self, list_id: int) -> OrderListReport | None:
        """The list as it ended, when the events tell all of it; None when REST must be asked."""
        filled = [leg for leg in self.legs.values() if leg.status is OrderStatus.FILLED and _complete(leg)]
        if filled:
            return OrderListReport(self.symbol, list_id, "", ListStatus.ALL_DONE, (filled[0],))
        if self.ended is None or self.ended.status is ListStatus.EXECUTING:
            return None
        legs = [self.legs.get(order_id) for order_id in self.ended.order_ids]
        if not legs or any(leg is None or not leg.status.is_final or not _complete(leg) for leg in legs):
            return None
        return OrderListReport(self.symbol, list_id, self.ended.list_client_id, self.ended.status,
                               tuple(leg for leg in legs if leg is not None))

    @property
    def finished(self) -> bool:
        ended = self.ended is not None and self.ended.status is not ListStatus.EXECUTING
        return ended or any(leg.status is OrderStatus.FILLED for leg in self.legs.values())


def _complete(leg: OrderReport) -> bool:
    return sum((f.quantity for f in leg.fills), Decimal(0)) == leg.executed_quantity


def _merged(old: OrderReport | None, new: OrderReport) -> OrderReport:
    """The leg's latest state with every fill seen so far (events may come twice or out of order)."""
    if old is None:
        return new
    fills = {f.trade_id: f for f in (*old.fills, *new.fills)}
    latest = new if (new.executed_quantity, new.status.is_final) >= (old.executed_quantity,
                                                                     old.status.is_final) else old
    return replace(latest, fills=tuple(fills[t] for t in sorted(fills)))


class FollowOrders:
    def __init__(self, events: OrderEvents | None, positions: ManagePositions, clock: Clock, *,
                 on_restart: Callable[[], None], mode: str) -> None:
        self.events, self._positions, self._clock = events, positions, clock
        self._on_restart, self._log = on_restart, logger.bind(mode=mode)
        self._connected = events is not None
        self._epoch = 0  # moves at each restart: only a reconcile begun after it makes the stream trusted
        self._news: OrderedDict[int, _ListNews] = OrderedDict()
        self._entry_news: OrderedDict[int, None] = OrderedDict()  # ids of single orders that changed
        self._stream: AsyncIterator[OrderEvent] | None = None
        self._task: asyncio.Task[None] | None = None

    def reconcile_begins(self) -> int:
        return self._epoch

    def reconciled(self, epoch: int) -> None:
        """A REST reconcile begun at `epoch` completed: the stream is trusted again if nothing broke since."""
        if self._connected and epoch == self._epoch and self._positions.watch.polling:
            self._positions.watch.polling = False
            self._log.info("Order events followed: open positions are no longer polled")

    def open(self) -> None:
        """Start listening (once the exchange is entered, before start-up's reconcile): nothing is missed."""
        if self.events is not None and self._stream is None:
            self._stream = self.events.order_events()

    def start(self, in_lane: LaneRunner) -> None:
        if self._stream is not None and self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(self._stream, in_lane),
                                                                name="order events")

    async def stop(self) -> None:
        """Stop following (the kill switch and stop close positions outside the lanes: no event may race)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._positions.watch.polling = True

    async def _run(self, stream: AsyncIterator[OrderEvent], in_lane: LaneRunner) -> None:
        try:
            async for event in stream:
                symbol = self.take(event)
                if symbol is not None:
                    await in_lane(symbol, functools.partial(self.settle, symbol))
        except Exception as exc:  # never trust a stream nobody reads: back to polling
            self._log.error("Order events no longer followed ({}: {}): open positions are polled",
                            type(exc).__name__, exc)
        self._connected, self._positions.watch.polling = False, True

    def take(self, event: OrderEvent) -> str | None:
        """Note one event; the symbol whose position can now be settled, if any."""
        match event:
            case OrderStreamDown(reason=reason):
                self._connected, self._positions.watch.polling = False, True
                self._log.warning("Order events down ({}): open positions are polled", reason)
            case OrderStreamRestarted():
                self._connected, self._positions.watch.polling, self._epoch = True, True, self._epoch + 1
                self._log.warning("Order events back: polled until a REST reconcile completes")
                self._on_restart()
            case OrderChanged(report=report) if report.order_list_id >= 0:
                news = self._note(report.order_list_id, report.symbol)
                news.legs[report.order_id] = _merged(news.legs.get(report.order_id), report)
                return self._ready(report.symbol, report.order_list_id)
            case OrderChanged(report=report):  # a single order: a resting entry's news
                self._entry_news[report.order_id] = None
                while len(self._entry_news) > KEPT_LISTS:
                    self._entry_news.popitem(last=False)
            case OrderListChanged():
                self._note(event.order_list_id, event.symbol).ended = event
                return self._ready(event.symbol, event.order_list_id)
            case _:
                pass
        return None

    def entry_changed(self, order_id: int) -> bool:
        """Whether a resting entry must be asked about now: always while polling (the stream is not
        trusted), else only once the stream said it changed (that news is then spent)."""
        if self._positions.watch.polling:
            return True
        if order_id in self._entry_news:
            del self._entry_news[order_id]
            return True
        return False

    async def settle(self, symbol: str, now_ms: int | None = None) -> bool:
        """In the position's lane: close it if the stream said its OCO finished. True when it acted."""
        if not self._news:  # no stream news at all (a replay, a quiet stream): nothing to settle
            return False
        position = self._positions.positions.get(symbol)
        news = None if position is None or position.oco_list_id < 0 else self._news.get(position.oco_list_id)
        if position is None or news is None or not news.finished:
            return False
        now, list_id = self._clock.now_ms() if now_ms is None else now_ms, position.oco_list_id
        listing = news.listing(list_id)
        if listing is None:  # an event was lost on the way: REST says how it ended
            await self._positions.poll(symbol, now)
        else:
            await self._positions.list_ended(symbol, listing, now)
        self._news.pop(list_id, None)  # kept when that failed: the next tick settles it again
        return True

    def _note(self, list_id: int, symbol: str) -> _ListNews:
        news = self._news.get(list_id)
        if news is None:
            news = self._news[list_id] = _ListNews(symbol)
            while len(self._news) > KEPT_LISTS:
                self._news.popitem(last=False)
        return news

    def _ready(self, symbol: str, list_id: int) -> str | None:
        position = self._positions.positions.get(symbol)
        held = position is not None and position.oco_list_id == list_id
        return symbol if held and self._news[list_id].finished else None
