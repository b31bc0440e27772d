"""The order enums' members as plain module constants, for code that reads them per order or per bar.

On Python 3.11 `Side.BUY` is not a plain class attribute read: EnumType defines `__getattr__`, so every
`Enum.MEMBER` goes through the slow attribute hook (about 130 ns, a dozen times a module global). These
are the very same objects (`BUY is Side.BUY`), imported once into the reading module's globals.
"""

from __future__ import annotations

from typing import Final

from domain.orders import ListStatus, OrderStatus, OrderType, TimeInForce
from domain.values import Side

BUY: Final = Side.BUY
SELL: Final = Side.SELL

MARKET: Final = OrderType.MARKET
LIMIT: Final = OrderType.LIMIT
LIMIT_MAKER: Final = OrderType.LIMIT_MAKER
STOP_LOSS: Final = OrderType.STOP_LOSS
STOP_LOSS_LIMIT: Final = OrderType.STOP_LOSS_LIMIT
TAKE_PROFIT: Final = OrderType.TAKE_PROFIT
TAKE_PROFIT_LIMIT: Final = OrderType.TAKE_PROFIT_LIMIT

GTC: Final = TimeInForce.GTC
IOC: Final = TimeInForce.IOC
FOK: Final = TimeInForce.FOK

NEW: Final = OrderStatus.NEW
PARTIALLY_FILLED: Final = OrderStatus.PARTIALLY_FILLED
FILLED: Final = OrderStatus.FILLED
CANCELED: Final = OrderStatus.CANCELED
EXPIRED: Final = OrderStatus.EXPIRED

EXECUTING: Final = ListStatus.EXECUTING
ALL_DONE: Final = ListStatus.ALL_DONE
