"""Orders as the core sees them: requests going out, reports coming back. Decimal at this border."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from domain.fast_init import fast_frozen_init
from domain.values import Side


class OrderType(StrEnum):
    MARKET = "MARKET"
    LIMIT = "LIMIT"
    LIMIT_MAKER = "LIMIT_MAKER"
    STOP_LOSS = "STOP_LOSS"
    STOP_LOSS_LIMIT = "STOP_LOSS_LIMIT"
    TAKE_PROFIT = "TAKE_PROFIT"
    TAKE_PROFIT_LIMIT = "TAKE_PROFIT_LIMIT"


class TimeInForce(StrEnum):
    GTC = "GTC"
    IOC = "IOC"
    FOK = "FOK"


class OrderStatus(StrEnum):
    NEW = "NEW"
    PENDING_NEW = "PENDING_NEW"
    PARTIALLY_FILLED = "PARTIALLY_FILLED"
    FILLED = "FILLED"
    CANCELED = "CANCELED"
    PENDING_CANCEL = "PENDING_CANCEL"
    REJECTED = "REJECTED"
    EXPIRED = "EXPIRED"
    EXPIRED_IN_MATCH = "EXPIRED_IN_MATCH"

    @property
    def is_final(self) -> bool:
        return self in _FINAL


_FINAL = {OrderStatus.FILLED, OrderStatus.CANCELED, OrderStatus.REJECTED, OrderStatus.EXPIRED,
          OrderStatus.EXPIRED_IN_MATCH}


@fast_frozen_init
@dataclass(frozen=True, slots=True)
class OrderRequest:
    """A new order. A market BUY may give `quote_quantity` (quoteOrderQty) instead of `quantity`."""

    symbol: str
    side: Side
    type: OrderType
    client_order_id: str
    quantity: Decimal | None = None
    quote_quantity: Decimal | None = None
    price: Decimal | None = None
    stop_price: Decimal | None = None
    time_in_force: TimeInForce | None = None

    def __post_init__(self) -> None:
        if (self.quantity is None) == (self.quote_quantity is None):
            raise ValueError("an order needs exactly one of quantity or quote_quantity")
        if self.quote_quantity is not None and self.type is not _MARKET:
            raise ValueError("quote_quantity is only for MARKET orders")
        if self.price is None and self.type in _NEEDS_PRICE:
            raise ValueError(f"{self.type.value} needs a price")
        if self.stop_price is None and self.type in _NEEDS_STOP_PRICE:
            raise ValueError(f"{self.type.value} needs a stop_price")


# Module constants: every order built (the simulator builds two per OCO) asks these, and on Python 3.11
# each `OrderType.X` read goes through EnumType's slow __getattr__ hook (domain/enum_constants.py).
_MARKET = OrderType.MARKET
_ZERO = Decimal(0)
_TAKE_PROFIT_TYPES = frozenset({OrderType.LIMIT_MAKER, OrderType.TAKE_PROFIT, OrderType.TAKE_PROFIT_LIMIT})
_NEEDS_PRICE = frozenset({OrderType.LIMIT, OrderType.LIMIT_MAKER, OrderType.STOP_LOSS_LIMIT,
                          OrderType.TAKE_PROFIT_LIMIT})
_NEEDS_STOP_PRICE = frozenset({OrderType.STOP_LOSS, OrderType.STOP_LOSS_LIMIT, OrderType.TAKE_PROFIT,
                               OrderType.TAKE_PROFIT_LIMIT})


@fast_frozen_init
@dataclass(frozen=True, slots=True)
class OcoRequest:
    """A SELL OCO protecting a long: a take-profit limit above, a stop-loss(-limit) below."""

    symbol: str
    quantity: Decimal
    take_profit_price: Decimal
    stop_price: Decimal
    stop_limit_price: Decimal | None
    list_client_id: str
    # LIMIT_MAKER rests as a maker at the take-profit price; TAKE_PROFIT(_LIMIT) fires there as a taker.
    take_profit_type: OrderType = OrderType.LIMIT_MAKER

    def __post_init__(self) -> None:
        if not self.stop_price < self.take_profit_price:
            raise ValueError("an OCO sell needs stop_price below take_profit_price")
        if self.take_profit_type not in _TAKE_PROFIT_TYPES:
            raise ValueError(f"an OCO take-profit leg cannot be {self.take_profit_type.value}")


@fast_frozen_init
@dataclass(frozen=True, slots=True)
class Fill:
    price: Decimal
    quantity: Decimal
    commission: Decimal
    commission_asset: str
    trade_id: int = 0
    is_maker: bool = False


@fast_frozen_init
@dataclass(frozen=True, slots=True)
class OrderReport:
    """What the exchange says about one order now."""

    symbol: str
    order_id: int
    client_order_id: str
    side: Side
    type: OrderType
    status: OrderStatus
    quantity: Decimal
    executed_quantity: Decimal
    cumulative_quote: Decimal
    price: Decimal = Decimal(0)
    stop_price: Decimal = Decimal(0)
    time_ms: int = 0
    update_time_ms: int = 0
    order_list_id: int = -1
    fills: tuple[Fill, ...] = field(default=())

    @property
    def average_price(self) -> Decimal:
        if self.executed_quantity == 0:
            return Decimal(0)
        return self.cumulative_quote / self.executed_quantity

    def commission_in(self, asset: str) -> Decimal:
        return sum((f.commission for f in self.fills if f.commission_asset == asset), Decimal(0))


class ListStatus(StrEnum):
    EXECUTING = "EXECUTING"
    ALL_DONE = "ALL_DONE"
    REJECT = "REJECT"


@fast_frozen_init
@dataclass(frozen=True, slots=True)
class OrderListReport:
    symbol: str
    order_list_id: int
    list_client_id: str
    status: ListStatus
    orders: tuple[OrderReport, ...]

    @property
    def filled_leg(self) -> OrderReport | None:
        """The leg that executed (FILLED, or partly filled and then cancelled by its sibling)."""
        # The first of the largest executions (as max() picks), in one pass: polled every minute an OCO rests.
        best: OrderReport | None = None
        for order in self.orders:
            executed = order.executed_quantity
            if executed > _ZERO and (best is None or executed > best.executed_quantity):
                best = order
        return best


@fast_frozen_init
@dataclass(frozen=True, slots=True)
class Balance:
    asset: str
    free: Decimal
    locked: Decimal

    @property
    def total(self) -> Decimal:
        return self.free + self.locked
