from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Protocol, Self, runtime_checkable

from domain.fees import FeeSchedule
from domain.orders import Balance, OcoRequest, OrderListReport, OrderReport, OrderRequest
from domain.rules import SymbolRules
from domain.values import Candle, Trade


class Exchange(Protocol):
    """Spot trading on one account. Errors are ports.errors; expected outcomes are return values.

    Entered as an async context manager (connections, clock sync, user-data stream)."""

    async def __aenter__(self) -> Self: ...

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None: ...

    async def symbol_rules(self) -> Mapping[str, SymbolRules]:
        """Filters of every symbol (from exchangeInfo), cached by the adapter."""
        ...

    async def balances(self) -> Mapping[str, Balance]: ...

    async def place_order(self, request: OrderRequest) -> OrderReport:
        """Place an order. Retrying with the same client_order_id never places it twice."""
        ...

    async def place_oco(self, request: OcoRequest) -> OrderListReport: ...

    async def cancel_order(self, symbol: str, order_id: int) -> OrderReport: ...

    async def cancel_order_list(self, symbol: str, order_list_id: int) -> OrderListReport: ...

    async def get_order(self, symbol: str, order_id: int) -> OrderReport: ...

    async def get_order_list(self, symbol: str, order_list_id: int) -> OrderListReport: ...

    async def open_orders(self, symbol: str | None = None) -> Sequence[OrderReport]: ...


class ReplayVenue(Protocol):
    """What a backtest needs of the simulated exchange besides the Exchange port: the market to fill at."""

    def observe_candle(self, candle: Candle) -> None: ...

    def observe_trade(self, trade: Trade) -> None: ...


@runtime_checkable
class TransientFailures(Protocol):
    """An exchange that says whether a call can fail transiently (unavailable, rate limited, clock skew).
    One that cannot (the in-process simulator) is called without the retry wrapper; one that does not say
    is assumed to fail transiently."""

    @property
    def fails_transiently(self) -> bool: ...


@runtime_checkable
class CommissionRates(Protocol):
    """An exchange that knows what each symbol costs this account (GET /api/v3/account/commission):
    standard maker/taker, tax and special commissions, and whether the BNB discount applies. The
    adapter caches each symbol's answer (Binance's changes at most daily). Errors are ports.errors."""

    async def commission(self, symbol: str) -> FeeSchedule: ...
