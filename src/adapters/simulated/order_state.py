"""The matching engine's own mutable record of an order and of an OCO list; reports are frozen copies."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from domain.enum_constants import (
    EXECUTING,
    FILLED,
    LIMIT,
    LIMIT_MAKER,
    NEW,
    PARTIALLY_FILLED,
    STOP_LOSS,
    STOP_LOSS_LIMIT,
    TAKE_PROFIT,
    TAKE_PROFIT_LIMIT,
)
from domain.orders import (
    Fill,
    ListStatus,
    OrderListReport,
    OrderReport,
    OrderStatus,
    OrderType,
    TimeInForce,
)
from domain.values import Side

ZERO = Decimal(0)
STOP_TYPES = frozenset({STOP_LOSS, STOP_LOSS_LIMIT, TAKE_PROFIT, TAKE_PROFIT_LIMIT})
MARKET_WHEN_TRIGGERED = frozenset({STOP_LOSS, TAKE_PROFIT})
_FINAL = frozenset(s for s in OrderStatus if s.is_final)


@dataclass(slots=True)
class Lock:
    """Funds an open order (or a whole OCO list) holds; shared by both legs of a list."""

    asset: str
    amount: Decimal


@dataclass(slots=True)
class SimOrder:
    order_id: int
    client_order_id: str
    symbol: str
    side: Side
    type: OrderType
    quantity: Decimal  # for a quoteOrderQty market order: what was executed
    price: Decimal
    stop_price: Decimal
    time_in_force: TimeInForce | None
    time_ms: int
    lock: Lock | None = None
    lock_price: Decimal = ZERO  # quote locked per unit of a BUY
    quote_quantity: Decimal | None = None
    order_list_id: int = -1
    status: OrderStatus = NEW
    executed: Decimal = ZERO
    cumulative_quote: Decimal = ZERO
    fills: list[Fill] = field(default_factory=list)
    update_time_ms: int = 0
    triggered: bool = False  # a stop order whose stop price was reached (now a LIMIT or MARKET)
    # The report of the order as it stands, built at the first question after each change (the OCO a
    # replay polls every minute is answered with the same frozen report): every change of a field the
    # report shows goes through record_fill, end or resize, which drop it.
    _report: OrderReport | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def remaining(self) -> Decimal:
        return self.quantity - self.executed

    @property
    def is_open(self) -> bool:
        return self.status not in _FINAL  # OrderStatus.is_final without a second property call

    @property
    def is_algo(self) -> bool:
        """Counts against MAX_NUM_ALGO_ORDERS: a stop order not yet triggered."""
        return self.type in STOP_TYPES and not self.triggered

    @property
    def rests_as_limit(self) -> bool:
        """Waiting on the book at its limit price (a LIMIT, a LIMIT_MAKER or a triggered stop-limit)."""
        if self.type in (LIMIT, LIMIT_MAKER):
            return True
        return self.triggered and self.type in (STOP_LOSS_LIMIT, TAKE_PROFIT_LIMIT)

    def record_fill(self, fill: Fill, time_ms: int) -> None:
        self._report = None
        self.fills.append(fill)
        self.executed += fill.quantity
        self.cumulative_quote += fill.price * fill.quantity
        self.update_time_ms = time_ms
        # executed >= quantity is `remaining <= 0` (a rounded difference keeps its sign) without the property
        self.status = FILLED if self.executed >= self.quantity else PARTIALLY_FILLED

    def end(self, status: OrderStatus, time_ms: int) -> None:
        """Ended without filling completely (CANCELED, EXPIRED) at `time_ms`."""
        self._report = None
        self.status = status
        self.update_time_ms = time_ms

    def resize(self, quantity: Decimal) -> None:
        """The quantity a quoteOrderQty market order works out to, once planned."""
        self._report = None
        self.quantity = quantity

    def report(self) -> OrderReport:
        report = self._report
        if report is None:
            # Positional, in OrderReport's field order (symbol ... fills): keywords cost more per report.
            report = self._report = OrderReport(
                self.symbol, self.order_id, self.client_order_id, self.side, self.type, self.status,
                self.quantity, self.executed, self.cumulative_quote, self.price, self.stop_price,
                self.time_ms, self.update_time_ms or self.time_ms, self.order_list_id, tuple(self.fills))
        return report


@dataclass(slots=True)
class SimOrderList:
    """An OCO: `above` and `below` legs (for a SELL: the take-profit above, the stop-loss below)."""

    order_list_id: int
    list_client_id: str
    symbol: str
    above: SimOrder
    below: SimOrder
    status: ListStatus = EXECUTING
    _report: OrderListReport | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def legs(self) -> tuple[SimOrder, SimOrder]:
        return (self.above, self.below)

    def sibling(self, leg: SimOrder) -> SimOrder:
        return self.below if leg is self.above else self.above

    def report(self) -> OrderListReport:
        # Binance lists the stop leg first (the order the legs were created in).
        first, second = (self.above, self.below) if self.above.order_id < self.below.order_id else \
            (self.below, self.above)
        orders = (first.report(), second.report())
        last = self._report
        if last is None or last.status is not self.status or last.orders[0] is not orders[0] or \
                last.orders[1] is not orders[1]:
            last = self._report = OrderListReport(self.symbol, self.order_list_id, self.list_client_id,
                                                  self.status, orders)
        return last
