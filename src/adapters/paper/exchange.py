"""Paper trading's exchange: the SimulatedExchange with Binance's real symbol filters, filled against the
live book (ARCHITECTURE.md, "Modes": paper).

`PaperExchange` is the Exchange port. When the trading loop enters it, it reads the filters of every
symbol from the public REST exchangeInfo (no key needed; the local venue serves the same route) and
builds the SimulatedExchange on them with the paper balance. Entering it again keeps the same account.
The market events reach it through `observe(event)`, called by the LiveBookFeed before the loop sees
each event, so an order placed on an event fills against that book and an OCO leg fills when the
market crosses it.

Fees (issue 16 item 5): with the account's API keys in the env/.env, `commission(symbol)` asks Binance's
account commission endpoint exactly as live does (adapters/binance/commissions.AccountCommissions, each
symbol once a day), and the simulator then charges that symbol those rates (effective: BNB discount,
tax and special parts included; the paper account holds no BNB to discount again). Without keys, one line
says the configured table is used; a failed call raises ExchangeError and the caller
(application/symbol_fees.py) keeps the configured rates with one line, as in live.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from types import TracebackType
from typing import Self

import aiohttp
from loguru import logger

from adapters.binance.commissions import AccountCommissions
from adapters.binance.symbols import parse_exchange_symbols
from adapters.simulated.costs import SimulatorCosts, SymbolCommission
from adapters.simulated.exchange import SimulatedExchange
from domain.fees import FeeSchedule
from domain.market_events import MarketEvent
from domain.order_events import OrderEvent
from domain.orders import Balance, OcoRequest, OrderListReport, OrderReport, OrderRequest
from domain.rules import SymbolRules
from ports.clock import Clock
from ports.errors import ExchangeError, ExchangeUnavailable

SessionFactory = Callable[[], aiohttp.ClientSession]
NO_KEYS = ("Paper: no Binance API key (BINANCE_API_KEY and BINANCE_API_SECRET in the env or .env): fees from "
           "the configured table (execution.taker_fee_rate, maker_fee_rate, symbol_fees), not the account's")


async def fetch_symbol_rules(
        rest_url: str, *, timeout_sec: float = 10.0,
        session_factory: SessionFactory = aiohttp.ClientSession) -> dict[str, SymbolRules]:
    """Every symbol's filters from GET /api/v3/exchangeInfo (weight 20, unsigned); ExchangeUnavailable
    naming the URL when it cannot be had."""
    url = rest_url.rstrip("/") + "/api/v3/exchangeInfo"
    try:
        async with session_factory() as session, \
                session.get(url, timeout=aiohttp.ClientTimeout(total=timeout_sec)) as response:
            if response.status >= 400:
                body = (await response.text())[:200]
                raise ExchangeUnavailable(f"GET {url}: HTTP {response.status} {body}", code=response.status)
            info = await response.json(content_type=None)
    except (aiohttp.ClientError, OSError, TimeoutError, ValueError) as exc:
        raise ExchangeUnavailable(f"GET {url}: {exc.__class__.__name__}: {exc}") from None
    return {rules.symbol: rules for rules in parse_exchange_symbols(info)}


class PaperExchange:
    def __init__(self, rest_url: str, balances: Mapping[str, Decimal], clock: Clock, costs: SimulatorCosts, *,
                 timeout_sec: float = 10.0, session_factory: SessionFactory = aiohttp.ClientSession,
                 account: AccountCommissions | None = None) -> None:
        self.rest_url = rest_url
        self._balances = dict(balances)
        self._clock, self._account = clock, account
        # The simulator reads this table at each fill: a symbol's account rates replace the configured
        # ones once asked (commission()).
        self._charged: dict[str, SymbolCommission] = dict(costs.symbol_fees)
        self._costs = replace(costs, symbol_fees=self._charged)
        self._timeout_sec, self._session_factory = timeout_sec, session_factory
        self._simulated: SimulatedExchange | None = None

    @property
    def simulated(self) -> SimulatedExchange:
        if self._simulated is None:
            raise RuntimeError("PaperExchange is used before the trading loop entered it")
        return self._simulated

    async def __aenter__(self) -> Self:
        if self._simulated is None:
            rules = await fetch_symbol_rules(self.rest_url, timeout_sec=self._timeout_sec,
                                             session_factory=self._session_factory)
            self._simulated = SimulatedExchange(rules, self._balances, self._clock, self._costs)
            if self._account is None:
                logger.bind(mode="paper").info(NO_KEYS)
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        if self._account is not None:
            await self._account.close()  # its session opens again if the loop enters once more

    def observe(self, event: MarketEvent) -> None:
        """One live market event into the matching engine (ignored before the exchange is entered)."""
        if self._simulated is not None:
            self._simulated.observe(event)

    # -- the Exchange port, answered by the simulator ---------------------------------------------------
    async def symbol_rules(self) -> Mapping[str, SymbolRules]:
        return await self.simulated.symbol_rules()

    async def balances(self) -> Mapping[str, Balance]:
        return await self.simulated.balances()

    async def commission(self, symbol: str) -> FeeSchedule:
        """ports.exchange.CommissionRates: the account's rates when keys are present (then charged by the
        simulator too), else the configured table. ExchangeError when the endpoint cannot say."""
        if self._account is None:
            return await self.simulated.commission(symbol)
        schedule = await self._account.get(symbol)
        taker, maker = Decimal(repr(schedule.effective_taker)), Decimal(repr(schedule.effective_maker))
        if not (0 <= taker < Decimal("0.1") and 0 <= maker < Decimal("0.1")):
            raise ExchangeError(f"Binance commission on {symbol}: taker {taker}, maker {maker}: not a rate")
        self._charged[symbol] = SymbolCommission(taker=taker, maker=maker)
        return schedule

    async def place_order(self, request: OrderRequest) -> OrderReport:
        return await self.simulated.place_order(request)

    async def place_oco(self, request: OcoRequest) -> OrderListReport:
        return await self.simulated.place_oco(request)

    async def cancel_order(self, symbol: str, order_id: int) -> OrderReport:
        return await self.simulated.cancel_order(symbol, order_id)

    async def cancel_order_list(self, symbol: str, order_list_id: int) -> OrderListReport:
        return await self.simulated.cancel_order_list(symbol, order_list_id)

    async def get_order(self, symbol: str, order_id: int) -> OrderReport:
        return await self.simulated.get_order(symbol, order_id)

    async def get_order_list(self, symbol: str, order_list_id: int) -> OrderListReport:
        return await self.simulated.get_order_list(symbol, order_list_id)

    async def open_orders(self, symbol: str | None = None) -> Sequence[OrderReport]:
        return await self.simulated.open_orders(symbol)

    async def find_order(self, symbol: str, client_order_id: str) -> OrderReport | None:
        return await self.simulated.find_order(symbol, client_order_id)

    async def find_order_list(self, symbol: str, list_client_id: str) -> OrderListReport | None:
        return await self.simulated.find_order_list(symbol, list_client_id)

    def order_events(self) -> AsyncIterator[OrderEvent]:
        """ports.order_events.OrderEvents: the simulator's order changes, as the venue would send them."""
        return self.simulated.order_events()
