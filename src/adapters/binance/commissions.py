"""GET /api/v3/account/commission (USER_DATA, weight 20): what trading one symbol costs this account.

The answer (binance-spot-api.md 1.6, 1.10) has three parts: standard maker/taker (+ buyer/seller), a tax
and a special commission computed the same way and added, and the BNB discount, which multiplies only
the standard part. `discount.discount` is the rate the standard part is reduced by when paid in BNB
("0.25000000" = 25% off), as binance-spot-api.md 1.6 records it. Buyer and seller commissions
depend on the side; the larger of the two is added to both rates (an upper bound, usually zero).

Binance changes these rates at most daily (VIP tiers are recomputed once a day), so each symbol's answer
is kept a day (`CommissionCache`), then asked again. `AccountCommissions` is the one way the endpoint is
asked: live's BinanceExchange asks through it on its own signed session, paper's exchange through
`signed_account_commissions` (its own session, built only when keys are present).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr

from adapters.binance.parse_orders import Payload, PayloadError, dec, field
from domain.fees import FeeSchedule
from domain.time_units import DAY_MS
from ports.clock import Clock
from ports.errors import ExchangeError

if TYPE_CHECKING:
    from adapters.binance.signed_rest import SignedRest

W_COMMISSION = 20  # REQUEST_WEIGHT of GET /api/v3/account/commission (binance-spot-api.md 1.5)


def _part(payload: Payload, key: str) -> tuple[Decimal, Decimal]:
    """(taker, maker) of one part, each with the larger of buyer/seller added."""
    part = payload.get(key)
    if part is None:
        return Decimal(0), Decimal(0)
    if not isinstance(part, dict):
        raise PayloadError(f"Binance commission field {key!r} is not an object: {part!r}")
    side = max(dec(part, "buyer", "0"), dec(part, "seller", "0"))
    return dec(part, "taker") + side, dec(part, "maker") + side


def parse_commission(payload: Payload) -> FeeSchedule:
    field(payload, "standardCommission")  # required: raises, naming it
    taker, maker = _part(payload, "standardCommission")
    special_taker, special_maker = _part(payload, "specialCommission")
    tax_taker, tax_maker = _part(payload, "taxCommission")
    discount = payload.get("discount") or {}
    enabled = bool(discount.get("enabledForAccount")) and bool(discount.get("enabledForSymbol"))
    rate = dec(discount, "discount", "0") if enabled else Decimal(0)
    if not Decimal(0) <= rate <= 1:
        raise PayloadError(f"Binance commission discount {rate} is not a rate in [0, 1]")
    return FeeSchedule(taker=float(taker), maker=float(maker), bnb_discount=enabled and rate > 0,
                       discount_rate=float(rate), taker_extra=float(special_taker + tax_taker),
                       maker_extra=float(special_maker + tax_maker))


class CommissionCache:
    """Each symbol's rates, asked once a day through `fetch(symbol)` (the raw endpoint payload)."""

    def __init__(self, fetch: Callable[[str], Awaitable[Any]], clock: Clock, *,
                 max_age_ms: int = DAY_MS) -> None:
        self._fetch, self._clock, self._max_age_ms = fetch, clock, max_age_ms
        self._known: dict[str, tuple[FeeSchedule, int]] = {}

    async def get(self, symbol: str) -> FeeSchedule:
        now = self._clock.now_ms()
        known = self._known.get(symbol)
        if known is not None and now - known[1] < self._max_age_ms:
            return known[0]
        schedule = parse_commission(await self._fetch(symbol))
        self._known[symbol] = (schedule, now)
        return schedule


class AccountCommissions:
    """This account's rates on a symbol (ports.exchange.CommissionRates' answer), cached a day; a bad
    payload or a refused call is an ExchangeError. `sync_first`: measure the server-time offset before the
    first signed call (a session of its own; BinanceExchange syncs its session when entered)."""

    def __init__(self, rest: SignedRest, clock: Clock, *, sync_first: bool = False) -> None:
        self.rest = rest
        self._cache = CommissionCache(self._payload, clock)
        self._unsynced = sync_first

    async def get(self, symbol: str) -> FeeSchedule:
        try:
            return await self._cache.get(symbol)
        except PayloadError as exc:
            raise ExchangeError(f"unexpected Binance response: {exc}") from None

    async def close(self) -> None:
        await self.rest.close()

    async def _payload(self, symbol: str) -> Any:
        if self._unsynced:
            await self.rest.sync_time()
            self._unsynced = False
        return await self.rest.call("query_commission_rates", weight=W_COMMISSION, symbol=symbol)


def signed_account_commissions(api_key: SecretStr, api_secret: SecretStr, *, rest_url: str, clock: Clock,
                               timeout: float = 10.0, recv_window: int = 5000,
                               safety: float = 0.8) -> AccountCommissions:
    """The endpoint on a signed session of its own (paper: no BinanceExchange). Imported lazily: a paper
    run without keys needs neither binance-connector nor requests."""
    from adapters.binance.rate_limiter import RateLimiter
    from adapters.binance.signed_rest import SignedRest

    rest = SignedRest(api_key, api_secret, base_url=rest_url, timeout=timeout, recv_window=recv_window,
                      clock=clock, limiter=RateLimiter(clock, safety=safety))
    rest.keep_warm_s = DAY_MS / 1000  # a call a day: no keep-alive pings
    return AccountCommissions(rest, clock, sync_first=True)
