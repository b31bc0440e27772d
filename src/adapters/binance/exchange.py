"""BinanceExchange: the Exchange port on Binance spot (REST via binance-connector, user data via the
WebSocket API). Testnet is a constructor, not another adapter.

Orders are idempotent (idempotency.py): a retry with the same client id returns the order placed the
first time, and when Binance's answer is lost (timeout, 5xx, -1007) the order is looked up by its
client id before it is sent again.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from decimal import Decimal
from types import TracebackType
from typing import Any, Self

from pydantic import SecretStr

from adapters.binance import order_params as wire_params
from adapters.binance.commissions import AccountCommissions
from adapters.binance.idempotency import PlacedOrders, send_once
from adapters.binance.order_queries import W_ACCOUNT, OrderQueries, parsed
from adapters.binance.parse_orders import (
    ApiRestrictions,
    parse_api_restrictions,
    parse_balances,
    parse_order,
    parse_order_list,
    parse_rate_limits,
    parse_symbol_rules,
    parse_taker_fee,
)
from adapters.binance.rate_limiter import RateLimiter
from adapters.binance.signed_rest import SendProbe, SignedRest
from adapters.binance.user_data import StreamItem, UserDataStream, never_up, order_events
from adapters.clocks import SystemClock
from domain.fees import FeeSchedule
from domain.order_events import OrderEvent
from domain.orders import Balance, OcoRequest, OrderListReport, OrderReport, OrderRequest
from domain.rules import SymbolRules
from ports.clock import Clock
from ports.errors import ExchangeError, OrderRejected

PRODUCTION_REST = "https://api.binance.com"
PRODUCTION_WS_API = "wss://ws-api.binance.com:443/ws-api/v3"
TESTNET_REST = "https://testnet.binance.vision"
TESTNET_WS_API = "wss://ws-api.testnet.binance.vision/ws-api/v3"
# REQUEST_WEIGHT of each call (binance-spot-api.md 1.5); the queries' are in order_queries.py.
W_ORDER, W_INFO = 1, 20


class BinanceExchange(OrderQueries):
    def __init__(self, api_key: SecretStr, api_secret: SecretStr, *, rest_url: str = PRODUCTION_REST,
                 ws_api_url: str = PRODUCTION_WS_API, recv_window: int = 5000, timeout: float = 10.0,
                 clock: Clock | None = None, limiter: RateLimiter | None = None, user_data: bool = True,
                 order_retries: int = 2, exit_margin: Decimal = Decimal(0),
                 stop_limit_slippage: Decimal = Decimal("0.005"), on_send: SendProbe | None = None) -> None:
        if not api_key.get_secret_value() or not api_secret.get_secret_value():
            raise ValueError("BinanceExchange needs an API key and secret")
        self._clock = clock or SystemClock()
        self.limiter = limiter or RateLimiter(self._clock)
        self.rest = SignedRest(api_key, api_secret, base_url=rest_url, timeout=timeout,
                               recv_window=recv_window, clock=self._clock, limiter=self.limiter,
                               on_send=on_send)
        self._user = UserDataStream(ws_api_url, api_key, api_secret, timestamp_ms=self.rest.timestamp_ms,
                                    recv_window=recv_window, limiter=self.limiter) if user_data else None
        self._retries = order_retries
        self._orders: PlacedOrders[OrderRequest] = PlacedOrders()
        self._lists: PlacedOrders[OcoRequest] = PlacedOrders()
        # A BUY whose proceeds, after the fee and this margin, cannot meet min notional is refused: the
        # application sizes entries for the stop distance; this is the adapter's last backstop.
        self._exit_margin = exit_margin
        self._stop_limit_slippage = stop_limit_slippage
        self._rules: dict[str, SymbolRules] = {}
        self.taker_fee = Decimal("0.001")  # the account's rate; a symbol's own once it has been asked
        self._commissions = AccountCommissions(self.rest, self._clock)
        self._symbol_taker: dict[str, Decimal] = {}

    @classmethod
    def testnet(cls, api_key: SecretStr, api_secret: SecretStr, **kw: Any) -> BinanceExchange:
        """The Spot Testnet (binance-spot-api.md 6): same code, testnet URLs unless given."""
        kw.setdefault("rest_url", TESTNET_REST)
        kw.setdefault("ws_api_url", TESTNET_WS_API)
        return cls(api_key, api_secret, **kw)

    # -- lifecycle -------------------------------------------------------------------------------------------
    async def __aenter__(self) -> Self:
        try:
            return await self._start()
        except BaseException:
            await self.rest.close()  # the REST session the start opened
            raise

    async def _start(self) -> Self:
        await self.rest.sync_time()
        await self.refresh_rules()
        self.taker_fee = parsed(parse_taker_fee, await self._account())
        if self._user is not None:
            await self._user.start()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        if self._user is not None:
            await self._user.stop()
        await self.rest.close()

    async def refresh_rules(self) -> Mapping[str, SymbolRules]:
        info = await self.rest.call("exchange_info", weight=W_INFO, signed=False)
        self._rules = parsed(parse_symbol_rules, info)
        self.limiter.configure(parsed(parse_rate_limits, info) or ())
        return self._rules

    # -- queries ---------------------------------------------------------------------------------------------
    async def symbol_rules(self) -> Mapping[str, SymbolRules]:
        return self._rules or await self.refresh_rules()

    async def balances(self) -> Mapping[str, Balance]:
        return parsed(parse_balances, await self._account())

    async def commission(self, symbol: str) -> FeeSchedule:
        """ports.exchange.CommissionRates: this account's rates on `symbol`, asked once a day."""
        schedule = await self._commissions.get(symbol)
        self._symbol_taker[symbol] = Decimal(repr(schedule.effective_taker))
        return schedule

    async def _account(self) -> Any:
        return await self.rest.call("account", weight=W_ACCOUNT, omitZeroBalances="true")

    async def api_restrictions(self) -> ApiRestrictions | None:
        """The key's permissions; None where /sapi does not exist (the Spot Testnet answers 404)."""
        try:
            raw = await self.rest.call("api_key_permissions", weight=1)
        except ExchangeError as exc:
            if exc.code is None and "HTTP 404" in str(exc):
                return None
            raise
        return parsed(parse_api_restrictions, raw)

    def user_events(self) -> AsyncIterator[StreamItem]:
        """executionReport / outboundAccountPosition / listStatus as they arrive; a UserStreamDown when the
        socket drops, a UserStreamRestarted once it is back (events may have been missed: reconcile)."""
        if self._user is None:
            raise RuntimeError("this BinanceExchange was built with user_data=False")
        return self._user.events()

    def order_events(self) -> AsyncIterator[OrderEvent]:
        """ports.order_events.OrderEvents: the user-data stream in the core's terms (none: never up)."""
        return order_events(self._user.events()) if self._user else never_up("built with user_data=False")

    # -- orders ----------------------------------------------------------------------------------------------
    async def place_order(self, request: OrderRequest) -> OrderReport:
        rules = await self._rules_for(request.symbol)
        taker = self._symbol_taker.get(request.symbol, self.taker_fee)
        wire_params.check_exit_viable(request, rules, taker, self._exit_margin)
        known = self._orders.known_id(request.symbol, request.client_order_id, request)
        if known is not None:
            return await self.get_order(request.symbol, known)
        params = wire_params.order(request)
        report = await send_once(
            lambda: self.rest.call("new_order", weight=W_ORDER, orders=1, **params),
            lambda: self._find_order(request.symbol, request.client_order_id), parse_order, self._retries)
        self._orders.remember(request.symbol, request.client_order_id, request, report.order_id)
        return await self._with_fills(report)

    async def place_oco(self, request: OcoRequest) -> OrderListReport:
        rules = await self._rules_for(request.symbol)
        known = self._lists.known_id(request.symbol, request.list_client_id, request)
        if known is not None:
            return await self.get_order_list(request.symbol, known)
        params = wire_params.oco(request, rules, self._stop_limit_slippage)
        report = await send_once(
            lambda: self.rest.call("new_oco_order", weight=W_ORDER, orders=2, **params),
            lambda: self._find_list(request.symbol, request.list_client_id), parse_order_list, self._retries)
        self._lists.remember(request.symbol, request.list_client_id, request, report.order_list_id)
        return report

    async def cancel_order(self, symbol: str, order_id: int) -> OrderReport:
        async def lookup() -> OrderReport | None:
            report = await self.get_order(symbol, order_id)
            return report if report.status.is_final else None

        raw = await send_once(
            lambda: self.rest.call("cancel_order", weight=W_ORDER, symbol=symbol, orderId=order_id),
            lookup, lambda data: data, self._retries)
        if isinstance(raw, OrderReport):
            return raw
        if "orderReports" in raw:  # a leg of an OCO: Binance cancelled the whole list
            return next(r for r in parsed(parse_order_list, raw).orders if r.order_id == order_id)
        return parsed(parse_order, raw)

    async def cancel_order_list(self, symbol: str, order_list_id: int) -> OrderListReport:
        async def lookup() -> OrderListReport | None:
            report = await self.get_order_list(symbol, order_list_id)
            return report if report.status.value == "ALL_DONE" else None

        return await send_once(
            lambda: self.rest.call("cancel_oco_order", weight=W_ORDER, symbol=symbol,
                                   orderListId=order_list_id),
            lookup, parse_order_list, self._retries)

    def protective_quantity(self, entry: OrderReport) -> Decimal:
        """What a filled BUY leaves for its OCO: executed less the base-asset fee, on the lot grid."""
        rules = self._rules[entry.symbol]
        fee = entry.commission_in(rules.base_asset)
        return wire_params.received_quantity(entry.executed_quantity, fee, rules)

    # -- helpers ---------------------------------------------------------------------------------------------
    async def _rules_for(self, symbol: str) -> SymbolRules:
        rules = self._rules.get(symbol) or (await self.refresh_rules()).get(symbol)
        if rules is None:
            raise OrderRejected(f"Binance -1121: Invalid symbol {symbol!r}.", code=-1121)
        return rules

