"""User-data events of the WebSocket API (binance-spot-api.md 5.4) -> domain: executionReport,
outboundAccountPosition, listStatus. Pure functions over decoded JSON, tested on recorded events."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from adapters.binance.parse_orders import Payload, dec, enum_field, field
from domain.orders import Balance, Fill, ListStatus, OrderReport, OrderStatus, OrderType
from domain.values import Side


@dataclass(frozen=True, slots=True)
class ExecutionUpdate:
    """An executionReport: the order's cumulative state; on a TRADE, `report.fills` holds that trade."""

    event_time_ms: int
    execution_type: str
    reject_reason: str
    report: OrderReport


@dataclass(frozen=True, slots=True)
class AccountUpdate:
    """An outboundAccountPosition: the new balances of the assets that may have changed."""

    event_time_ms: int
    balances: tuple[Balance, ...]


@dataclass(frozen=True, slots=True)
class ListUpdate:
    """A listStatus event of an OCO."""

    event_time_ms: int
    symbol: str
    order_list_id: int
    list_client_id: str
    status: ListStatus
    order_ids: tuple[int, ...]


UserEvent = ExecutionUpdate | AccountUpdate | ListUpdate


def _execution_update(e: Payload) -> ExecutionUpdate:
    execution = str(field(e, "x"))
    original = e.get("C") or ""
    fills: tuple[Fill, ...] = ()
    if execution == "TRADE":
        fills = (Fill(price=dec(e, "L"), quantity=dec(e, "l"), commission=dec(e, "n"),
                      commission_asset=str(e.get("N") or ""), trade_id=int(field(e, "t")),
                      is_maker=bool(e.get("m", False))),)
    report = OrderReport(
        symbol=str(field(e, "s")), order_id=int(field(e, "i")),
        client_order_id=str(original if execution == "CANCELED" and original else field(e, "c")),
        side=enum_field(Side, e, "S"), type=enum_field(OrderType, e, "o"),
        status=enum_field(OrderStatus, e, "X"),
        quantity=dec(e, "q"), executed_quantity=dec(e, "z"), cumulative_quote=dec(e, "Z"),
        price=dec(e, "p", "0"), stop_price=dec(e, "P", "0"), time_ms=int(e.get("O", field(e, "T"))),
        update_time_ms=int(field(e, "T")), order_list_id=int(e.get("g", -1)), fills=fills)
    return ExecutionUpdate(event_time_ms=int(field(e, "E")), execution_type=execution,
                           reject_reason=str(e.get("r", "NONE")), report=report)


def _account_update(e: Payload) -> AccountUpdate:
    return AccountUpdate(event_time_ms=int(field(e, "E")), balances=tuple(
        Balance(asset=str(field(b, "a")), free=dec(b, "f"), locked=dec(b, "l")) for b in field(e, "B")))


def _list_update(e: Payload) -> ListUpdate:
    return ListUpdate(event_time_ms=int(field(e, "E")), symbol=str(field(e, "s")),
                      order_list_id=int(field(e, "g")), list_client_id=str(field(e, "C")),
                      status=enum_field(ListStatus, e, "L"),
                      order_ids=tuple(int(field(o, "i")) for o in field(e, "O")))


_EVENT_PARSERS: dict[str, Callable[[Payload], UserEvent]] = {
    "executionReport": _execution_update,
    "outboundAccountPosition": _account_update,
    "listStatus": _list_update,
}


def parse_user_event(event: Payload) -> UserEvent | None:
    """One user-data event; None for kinds the adapter does not track (balanceUpdate, ...)."""
    parser = _EVENT_PARSERS.get(str(field(event, "e")))
    return parser(event) if parser else None
