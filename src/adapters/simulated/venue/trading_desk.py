"""The venue's trading side without HTTP: one account on the simulator's MatchingEngine, fed the venue's
synthetic book, with Binance's rate-limit accounting and the faults tests inject.

The engine is the one SimulatedExchange uses (matching, balances, fees, OCO, partial fills); this desk
only feeds it the market the venue streams (the book of book.py at the venue clock) and counts requests.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_DOWN, Decimal
from typing import Any

from adapters.simulated.accounts import Accounts
from adapters.simulated.costs import SimulatorCosts
from adapters.simulated.market import dec
from adapters.simulated.matching import MatchingEngine, OrderUpdate
from adapters.simulated.venue.exchange_info import RATE_LIMITS
from adapters.simulated.venue.signing import ApiError, ApiKey
from adapters.simulated.venue.state import VenueState
from adapters.simulated.venue.trading_faults import TradingFaults
from domain.values import OrderBook, Trade

DEFAULT_API_KEY = "venue-api-key"
DEFAULT_API_SECRET = "venue-api-secret"
_UNIT_MS = {"SECOND": 1_000, "MINUTE": 60_000, "HOUR": 3_600_000, "DAY": 86_400_000}


def _default_keys() -> dict[str, ApiKey]:
    return {DEFAULT_API_KEY: ApiKey(DEFAULT_API_SECRET)}


def _default_deposits() -> dict[str, Decimal]:
    return {"USDT": Decimal(1000)}


@dataclass(frozen=True)
class TradingConfig:
    """keys: API key -> secret and permissions (one account behind all keys; by default the key
    "venue-api-key" with the secret "venue-api-secret", which cannot withdraw). rate_limits: entries in
    exchangeInfo's format, enforced and served (default: the venue's production-like RATE_LIMITS).
    sapi=False answers /sapi/* with 404, like the Spot Testnet."""

    keys: Mapping[str, ApiKey] = field(default_factory=_default_keys)
    deposits: Mapping[str, Decimal] = field(default_factory=_default_deposits)
    costs: SimulatorCosts = field(default_factory=lambda: SimulatorCosts(latency_ms=0))
    rate_limits: Sequence[Mapping[str, Any]] = tuple(RATE_LIMITS)
    sapi: bool = True
    market_tick_sec: float = 0.05
    book_levels: int = 20
    ignored_429_before_ban: int = 3
    ban_seconds: int = 120


@dataclass(slots=True)
class _Window:
    kind: str
    interval_ms: int
    limit: int
    header: str
    spec: dict[str, Any]
    start_ms: int = -1
    used: dict[str, int] = field(default_factory=dict)

    def count(self, who: str, amount: int, now_ms: int) -> int:
        start = now_ms - now_ms % self.interval_ms
        if start != self.start_ms:
            self.start_ms, self.used = start, {}
        self.used[who] = self.used.get(who, 0) + amount
        return self.used[who]

    def seconds_left(self, now_ms: int) -> int:
        return max(1, -(-(self.start_ms + self.interval_ms - now_ms) // 1000))


class RateLimits:
    """Fixed windows on the venue clock: REQUEST_WEIGHT per IP, ORDERS per account."""

    def __init__(self, specs: Sequence[Mapping[str, Any]]) -> None:
        self.peak: dict[str, int] = {}  # window header -> highest count reached
        self.windows = []
        for spec in specs:
            unit, num = str(spec["interval"]), int(spec["intervalNum"])
            label = {"REQUEST_WEIGHT": "X-MBX-USED-WEIGHT", "ORDERS": "X-MBX-ORDER-COUNT"}.get(
                str(spec["rateLimitType"]))
            if label is None:
                continue
            self.windows.append(_Window(str(spec["rateLimitType"]), _UNIT_MS[unit] * num, int(spec["limit"]),
                                        f"{label}-{num}{unit[0]}", dict(spec)))

    def add(self, kind: str, who: str, amount: int, now_ms: int, headers: dict[str, str]) -> _Window | None:
        """Count `amount`; set the usage headers; return the first window now over its limit."""
        over = None
        for window in self.windows:
            if window.kind != kind:
                continue
            used = window.count(who, amount, now_ms)
            headers[window.header] = str(used)
            self.peak[window.header] = max(self.peak.get(window.header, 0), used)
            if used > window.limit and over is None:
                over = window
        return over


class TradingDesk:
    def __init__(self, state: VenueState, config: TradingConfig) -> None:
        self.state, self.config = state, config
        self.engine = MatchingEngine(state.rules, Accounts(config.deposits), config.costs)
        self.limits = RateLimits(config.rate_limits)
        self.faults = TradingFaults()
        self.banned_until_ms: dict[str, int] = {}
        self.ignored_429: dict[str, int] = {}
        self.subscribers: list[Callable[[OrderUpdate], None]] = []
        self.engine.listeners.append(self._announce)
        self._cancel_ids = 0
        self.pinned: dict[str, Decimal] = {}  # test hook: symbol -> mid price of a deep book
        self.answers: Counter[int] = Counter()  # HTTP status -> how many trading requests got it

    def now_ms(self) -> int:
        return self.state.clock.now_ms()

    def api_key(self, name: str) -> ApiKey:
        key = self.config.keys.get(name)
        if key is None:
            raise ApiError(401, -2015, "Invalid API-key, IP, or permissions for action.")
        return key

    def next_cancel_id(self) -> str:
        self._cancel_ids += 1
        return f"venuecancel{self._cancel_ids}"

    # -- venue-side events -----------------------------------------------------------------------------
    def halt(self, symbol: str, status: str = "HALT") -> None:
        """Trading stops on `symbol`: exchangeInfo shows `status`, new orders are refused ("Market is
        closed."), resting orders stay on the book and do not fill until `resume`."""
        rules = replace(self.state.rules[symbol], status=status)
        self.state.rules[symbol] = rules
        self.engine.replace_rules(rules)

    def resume(self, symbol: str) -> None:
        self.halt(symbol, "TRADING")

    def halted(self, symbol: str) -> bool:
        return self.state.rules[symbol].status != "TRADING"

    def expire_resting(self, symbol: str, reason: str = "EXCHANGE_CANCELED") -> int:
        """The exchange expires every resting order of `symbol` (both OCO legs); returns how many."""
        return self.engine.expire_open_orders(symbol, self.now_ms(), reason)

    def outage(self, minutes: float) -> None:
        """Every REST route, market data and trading, answers 503 for `minutes` of venue time."""
        self.state.faults.outage_until(self.now_ms() + int(minutes * 60_000))

    # -- market -------------------------------------------------------------------------------------------
    def pin_market(self, symbol: str, mid: Decimal) -> None:
        """Test hook: from now on the engine sees a deep book around `mid` instead of the replay's."""
        self.pinned[symbol] = mid
        self.sync([symbol])

    def print_trade(self, symbol: str, price: Decimal, quantity: Decimal | None = None) -> None:
        """Test hook: a trade prints at `price` (resting orders it went through fill)."""
        if self.halted(symbol):
            return  # no trading: nothing prints
        size = quantity if quantity is not None else Decimal(10**6) / price
        trade = Trade(symbol, float(price), float(size), self.now_ms(), buyer_is_maker=False)
        self.engine.observe_trade(trade)

    def _pinned_book(self, symbol: str, now: int) -> OrderBook:
        mid, tick = self.pinned[symbol], self.state.rules[symbol].tick_size
        best_bid = (mid / tick).to_integral_value(rounding=ROUND_DOWN) * tick
        size = float(Decimal(10**6) / mid)  # a million quote units a level
        bids = tuple((float(best_bid - k * tick), size) for k in range(self.config.book_levels))
        asks = tuple((float(best_bid + (k + 1) * tick), size) for k in range(self.config.book_levels))
        return OrderBook(symbol, bids, asks, time_ms=now)

    def sync(self, symbols: Iterable[str]) -> None:
        """Show the engine the venue's market now: the synthetic book and the last price."""
        now = self.now_ms()
        for symbol in symbols:
            if symbol in self.state.rules and self.halted(symbol):
                continue  # a halted book does not move: resting orders wait
            if symbol in self.pinned:
                self.engine.market(symbol).set_last(self.pinned[symbol], now)
                self.engine.observe_book(self._pinned_book(symbol, now))
                continue
            tape = self.state.tapes.get(symbol)
            book = self.state.book(symbol, self.config.book_levels, now) if tape is not None else None
            if tape is None or book is None:
                continue
            last = tape.last_price(now)
            if last is not None:
                self.engine.market(symbol).set_last(dec(last), now)
            self.engine.observe_book(OrderBook(symbol, book.bids, book.asks, time_ms=now,
                                               last_update_id=book.update_id))

    async def run(self) -> None:
        """Let resting orders (OCO legs, limits) see the market move, every `market_tick_sec`."""
        while True:
            await asyncio.sleep(self.config.market_tick_sec)
            self.sync({order.symbol for order in self.engine.open_orders()})

    def _announce(self, update: OrderUpdate) -> None:
        for subscriber in list(self.subscribers):
            subscriber(update)
