"""Binance symbol filters as rules: round to the exchange grid and check notional, in Decimal.

Zero in a filter field disables that rule, as on Binance (binance-spot-api.md 1.7).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_UP, Decimal
from typing import Any

from domain.fast_init import fast_frozen_init

ZERO = Decimal(0)
_ROUNDING = {"down": ROUND_DOWN, "up": ROUND_UP, "nearest": ROUND_HALF_EVEN}


# Decimal against ZERO rather than the int 0 (no int -> Decimal conversion per comparison), rounding modes
# passed by position: these run several times for every order the bot or the simulator makes.
def _round_to(value: Decimal, step: Decimal, rounding: str) -> Decimal:
    if step <= ZERO:
        return value
    return ((value / step).to_integral_value(rounding) * step).normalize()


@dataclass(frozen=True, slots=True)
class FilterViolation:
    """Which Binance filter an order breaks, with the message Binance would send."""

    filter_type: str
    detail: str

    @property
    def message(self) -> str:
        return f"Filter failure: {self.filter_type}"


def _lot_ok(qty: Decimal, step: Decimal, low: Decimal, high: Decimal) -> bool:
    return (low <= ZERO or qty >= low) and (high <= ZERO or qty <= high) and (
        step <= ZERO or qty % step == ZERO)


def _lot_violation(found: list[FilterViolation], name: str, qty: Decimal, step: Decimal, low: Decimal,
                   high: Decimal) -> None:
    if low > 0 and qty < low:
        found.append(FilterViolation(name, f"quantity {qty} < minQty {low}"))
    elif high > 0 and qty > high:
        found.append(FilterViolation(name, f"quantity {qty} > maxQty {high}"))
    elif step > 0 and qty % step != 0:
        found.append(FilterViolation(name, f"quantity {qty} not a multiple of {step}"))


@fast_frozen_init
@dataclass(frozen=True, slots=True)
class SymbolRules:
    symbol: str
    base_asset: str
    quote_asset: str
    tick_size: Decimal = ZERO
    min_price: Decimal = ZERO
    max_price: Decimal = ZERO
    step_size: Decimal = ZERO
    min_qty: Decimal = ZERO
    max_qty: Decimal = ZERO
    market_step_size: Decimal = ZERO
    market_min_qty: Decimal = ZERO
    market_max_qty: Decimal = ZERO
    min_notional: Decimal = ZERO
    max_notional: Decimal = ZERO
    min_notional_applies_to_market: bool = True
    max_notional_applies_to_market: bool = False
    status: str = "TRADING"
    spot_allowed: bool = True
    oco_allowed: bool = True
    quote_order_qty_market_allowed: bool = True
    order_types: tuple[str, ...] = ()
    base_asset_precision: int = 8
    quote_asset_precision: int = 8

    # -- rounding ---------------------------------------------------------------------------------------
    def round_qty(self, qty: Decimal, *, market: bool = False) -> Decimal:
        """Quantity rounded DOWN to the step (never buy or sell more than asked); ZERO below minQty."""
        step, minimum = self.step_size, self.min_qty
        if market:
            if self.market_step_size > ZERO:
                step = self.market_step_size
            if self.market_min_qty > ZERO:
                minimum = self.market_min_qty
        rounded = (qty / step).to_integral_value(ROUND_DOWN) * step if step > ZERO else qty
        if rounded <= ZERO or rounded < minimum:
            return ZERO
        return rounded.normalize()  # (above zero here)

    def round_price(self, price: Decimal, *, direction: str = "nearest") -> Decimal:
        """Price on the tick grid; 'down', 'up' or 'nearest'. ZERO when it falls below one tick."""
        rounded = _round_to(price, self.tick_size, _ROUNDING[direction])
        if rounded <= ZERO:
            return ZERO
        return rounded

    # -- checks -----------------------------------------------------------------------------------------
    def violations(self, *, quantity: Decimal, price: Decimal, market: bool = False,
                   stop_price: Decimal | None = None) -> list[FilterViolation]:
        """Every filter that an order of this quantity at this (reference) price breaks."""
        # Asked several times per order (the simulator, the protection plan): the usual answer (none) comes
        # from one chain of the same comparisons; any failure builds the detailed list below.
        prices_ok = (market or self._price_ok(price)) and (stop_price is None or self._price_ok(stop_price))
        if prices_ok and self.lots_fit(quantity, market):
            notional, least, most = quantity * price, self.min_notional, self.max_notional
            small = least > ZERO and (not market or self.min_notional_applies_to_market) and notional < least
            large = most > ZERO and (not market or self.max_notional_applies_to_market) and notional > most
            if not small and not large:
                return []
        found: list[FilterViolation] = []
        if not market:
            self._price_violation(price, found)
        if stop_price is not None:
            self._price_violation(stop_price, found)
        _lot_violation(found, "LOT_SIZE", quantity, self.step_size, self.min_qty, self.max_qty)
        if market:
            _lot_violation(found, "MARKET_LOT_SIZE", quantity, self.market_step_size, self.market_min_qty,
                           self.market_max_qty)
        self._notional_violation(quantity * price, market, found)
        return found

    def lots_fit(self, quantity: Decimal, market: bool = False) -> bool:
        """LOT_SIZE (and MARKET_LOT_SIZE for a market order) let `quantity` through: `violations` finds no
        lot filter broken."""
        return _lot_ok(quantity, self.step_size, self.min_qty, self.max_qty) and (
            not market or _lot_ok(quantity, self.market_step_size, self.market_min_qty, self.market_max_qty))

    def oco_fits(self, quantity: Decimal, take_profit: Decimal, lowest: Decimal, stop: Decimal) -> bool:
        """True exactly when an OCO of `quantity` breaks no filter: `violations(quantity=quantity,
        price=take_profit)` and `violations(quantity=quantity, price=lowest, stop_price=stop)` both empty
        (every protection plan asks it, twice an entry): the lot checked once, no list built."""
        price_ok = self._price_ok
        if not (price_ok(take_profit) and price_ok(lowest) and price_ok(stop)
                and _lot_ok(quantity, self.step_size, self.min_qty, self.max_qty)):
            return False
        least, most = self.min_notional, self.max_notional
        for notional in (quantity * take_profit, quantity * lowest):
            if (least > ZERO and notional < least) or (most > ZERO and notional > most):
                return False
        return True

    def _price_ok(self, p: Decimal) -> bool:
        tick, low, high = self.tick_size, self.min_price, self.max_price
        return p > ZERO and (low <= ZERO or p >= low) and (high <= ZERO or p <= high) and (
            tick <= ZERO or p % tick == ZERO)

    def _price_violation(self, p: Decimal, found: list[FilterViolation]) -> None:
        if p <= 0:
            found.append(FilterViolation("PRICE_FILTER", f"price {p} is not positive"))
        elif self.min_price > 0 and p < self.min_price:
            found.append(FilterViolation("PRICE_FILTER", f"price {p} < minPrice {self.min_price}"))
        elif self.max_price > 0 and p > self.max_price:
            found.append(FilterViolation("PRICE_FILTER", f"price {p} > maxPrice {self.max_price}"))
        elif self.tick_size > 0 and p % self.tick_size != 0:
            found.append(FilterViolation("PRICE_FILTER", f"price {p} not a multiple of {self.tick_size}"))

    def _notional_violation(self, notional: Decimal, market: bool, found: list[FilterViolation]) -> None:
        low, high = self.min_notional, self.max_notional
        if low > 0 and (not market or self.min_notional_applies_to_market) and notional < low:
            found.append(FilterViolation("NOTIONAL", f"notional {notional} < minNotional {low}"))
        elif high > 0 and (not market or self.max_notional_applies_to_market) and notional > high:
            found.append(FilterViolation("NOTIONAL", f"notional {notional} > maxNotional {high}"))

    def meets_min_notional(self, quantity: Decimal, price: Decimal) -> bool:
        return self.min_notional <= 0 or quantity * price >= self.min_notional

    # -- construction -----------------------------------------------------------------------------------
    @classmethod
    def from_exchange_info(cls, entry: Mapping[str, Any]) -> SymbolRules:
        """Build from one `symbols[]` entry of GET /api/v3/exchangeInfo (strings as Binance sends)."""
        filters: dict[str, Mapping[str, Any]] = {f["filterType"]: f for f in entry.get("filters", [])}
        price = filters.get("PRICE_FILTER", {})
        lot = filters.get("LOT_SIZE", {})
        market_lot = filters.get("MARKET_LOT_SIZE", {})
        notional = filters.get("NOTIONAL") or {}
        legacy = filters.get("MIN_NOTIONAL") or {}

        def dec(source: Mapping[str, Any], key: str) -> Decimal:
            return Decimal(str(source.get(key, "0")))

        min_notional = dec(notional, "minNotional") if notional else dec(legacy, "minNotional")
        applies_min = bool(notional.get("applyMinToMarket", True)) if notional else bool(
            legacy.get("applyToMarket", True))
        permission_sets: Sequence[Sequence[str]] = (entry.get("permissionSets")
                                                    or [entry.get("permissions", [])])
        spot = bool(entry.get("isSpotTradingAllowed", any("SPOT" in s for s in permission_sets)))
        return cls(
            symbol=str(entry["symbol"]), base_asset=str(entry["baseAsset"]),
            quote_asset=str(entry["quoteAsset"]),
            tick_size=dec(price, "tickSize"), min_price=dec(price, "minPrice"),
            max_price=dec(price, "maxPrice"),
            step_size=dec(lot, "stepSize"), min_qty=dec(lot, "minQty"), max_qty=dec(lot, "maxQty"),
            market_step_size=dec(market_lot, "stepSize"), market_min_qty=dec(market_lot, "minQty"),
            market_max_qty=dec(market_lot, "maxQty"),
            min_notional=min_notional, max_notional=dec(notional, "maxNotional"),
            min_notional_applies_to_market=applies_min,
            max_notional_applies_to_market=bool(notional.get("applyMaxToMarket", False)),
            status=str(entry.get("status", "TRADING")), spot_allowed=spot,
            oco_allowed=bool(entry.get("ocoAllowed", True)),
            quote_order_qty_market_allowed=bool(entry.get("quoteOrderQtyMarketAllowed", True)),
            order_types=tuple(entry.get("orderTypes", ())),
            base_asset_precision=int(entry.get("baseAssetPrecision", 8)),
            quote_asset_precision=int(entry.get("quoteAssetPrecision", 8)),
        )
