"""Base units the bot owns outside its open positions (dust), with their cost basis.

Fees taken in the base asset and the LOT_SIZE step leave a little of every purchase unsold. That dust is
the bot's: it is kept here per symbol, valued at the last known price in the account's equity, and the
next protection or exit on that symbol sells it along (what is sold is the holding rounded down to the
step), so it never grows beyond about one step. A remainder no order could sell (below the minimum
quantity or notional) lands here too, logged once at WARNING, instead of being retried forever.

Accounting (nothing vanishes): a `Lot` carries its units, the average price paid for them and the entry
fees paid for them. A trade charges the price and fees of exactly the units it sold (Position.close
prorates them); units left over come here with their share; units taken from here carry their cost into
the position that sells them. The position keeps its own fill price as entry price, so the dust's cost
above (or below) that price joins its entry fees: the trade's PnL stays exact and its entry price stays
the real fill price. So between two moments with no position open:
    equity change == sum of trade PnL + change in (dust market value - dust cost basis).
"""

from __future__ import annotations

from collections.abc import Callable, Set
from dataclasses import dataclass, replace
from decimal import Decimal

from application.bound_logs import symbol_log
from application.dust_batch import DustBatch, PricePath, PricesOf
from domain.fast_init import fast_frozen_init
from domain.position import Position

ZERO = Decimal(0)
__all__ = ["DustLedger", "Lot", "PricePath", "PricesOf", "holding", "lot_of", "take_first"]


@fast_frozen_init
@dataclass(frozen=True, slots=True)
class Lot:
    quantity: Decimal
    price: float  # average price paid per unit, fees excluded
    fee_usdt: float  # entry fees paid for these units

    @property
    def cost_usdt(self) -> float:
        """What these units cost, fees included."""
        return self.price * float(self.quantity) + self.fee_usdt

    def __add__(self, other: Lot) -> Lot:
        fees, mine, theirs = self.fee_usdt + other.fee_usdt, self.quantity, other.quantity
        if theirs <= ZERO or mine <= ZERO:  # keep the price exact: nothing to average (ZERO: no int cast)
            kept = self if theirs <= ZERO else other
            return Lot(kept.quantity, kept.price, fees)
        total = mine + theirs
        price = (self.price * float(mine) + other.price * float(theirs)) / float(total)
        return Lot(total, price, fees)

    def split(self, quantity: Decimal) -> tuple[Lot, Lot]:
        """(the first `quantity` units, the rest); the price is kept, the fees are shared pro rata."""
        held, price, fee = self.quantity, self.price, self.fee_usdt  # each entry and exit splits a few lots
        taken = min(max(quantity, ZERO), held)
        share = 0.0 if held <= ZERO else 1.0 if taken == held else \
            float(taken / held)  # all of it (the usual take): the quotient is exactly 1
        return Lot(taken, price, fee * share), Lot(held - taken, price, fee * (1 - share))


def take_first(first: Lot, then: Lot | None, quantity: Decimal) -> tuple[Lot, Lot]:
    """(`quantity` units taken from `first`, then from `then`; what is left of both)."""
    taken, rest = first.split(quantity)
    if then is None:
        return taken, rest
    more, left = then.split(quantity - taken.quantity)
    return taken + more, rest + left


def lot_of(position: Position) -> Lot:
    return Lot(Decimal(repr(position.quantity)), position.entry_price, position.entry_fee_usdt)


def holding(position: Position, lot: Lot) -> Position:
    """`position` now holding exactly `lot`: its units and their whole cost; the entry price stays the
    position's fill price, what the lot cost beyond it is entry fees (the dust's fees and basis)."""
    fee = lot.fee_usdt if lot.price == position.entry_price else \
        lot.cost_usdt - position.entry_price * float(lot.quantity)
    return replace(position, quantity=float(lot.quantity), entry_fee_usdt=fee)


class DustLedger:
    """Dust per symbol. `price_of(symbol)` values it; the price seen when it was left is the fallback."""

    def __init__(self, mode: str = "paper") -> None:
        self._lots: dict[str, Lot] = {}
        self._last_price: dict[str, float] = {}
        self._warned: set[str] = set()
        self._mode = mode
        # Each symbol's market value at the last valuation, in the order of _lots (so summing them adds
        # the same floats in the same order as valuing every lot anew), and the ones to value again.
        self._values: dict[str, float] = {}
        self._revalue: set[str] = set()
        self._value_sum: float | None = None  # sum(_values) while no value changed
        self._cost_sum: float | None = None  # cost() while no lot changed
        # For valuing every lot at once (dust_batch.py), in the order of _values; its products, when set,
        # are the per-symbol values not written back into _values yet.
        self._batch: DustBatch | None = None
        self.version = 0  # moves on whenever a lot or a fallback price changes
        # Each lot's units as a float and cost, kept in the order of _lots (summed as the lots would be).
        self._units: dict[str, float] = {}
        self._costs: dict[str, float] = {}

    @property
    def symbols(self) -> frozenset[str]:
        return frozenset(self._lots)  # every lot kept holds units: add, take and restore drop empty ones

    def quantity(self, symbol: str) -> Decimal:
        lot = self._lots.get(symbol)
        return lot.quantity if lot is not None else ZERO

    def add(self, symbol: str, lot: Lot, price: float, *, unsellable: str | None = None) -> None:
        """Keep `lot` as dust of `symbol`, last seen at `price`. `unsellable`: why no order could sell it
        (logged once at WARNING with its value; plain rounding dust is logged at DEBUG)."""
        if lot.quantity <= 0:
            return
        total = self._lots[symbol] + lot if symbol in self._lots else lot
        self._keep(symbol, total)
        self._values.setdefault(symbol, 0.0)
        self._revalue.add(symbol)
        self._cost_sum = None
        self.version += 1
        self._last_price[symbol] = price
        self._batch_follows(symbol)
        log = symbol_log(symbol, self._mode)
        if unsellable is None:
            log.debug("{:f} {} kept as dust ({:f} in all, ~{:.4f} USDT)", lot.quantity, symbol,
                      total.quantity, float(total.quantity) * price)
        elif symbol not in self._warned:
            self._warned.add(symbol)
            log.warning("{:f} {} (~{:.4f} USDT) cannot be sold ({}): kept as dust, valued in equity and "
                        "sold with the next exit on {}", total.quantity, symbol,
                        float(total.quantity) * price, unsellable, symbol)

    def take(self, symbol: str, quantity: Decimal | None = None) -> Lot | None:
        """Remove `quantity` units (all when None) of `symbol`'s dust, with their cost basis."""
        lot = self._lots.get(symbol)
        if lot is None or lot.quantity <= 0:
            return None
        taken, rest = lot.split(lot.quantity if quantity is None else quantity)
        self._cost_sum = self._value_sum = None
        self.version += 1
        if rest.quantity > 0:
            self._keep(symbol, rest)
            self._revalue.add(symbol)
            self._batch_follows(symbol)
        else:
            del self._lots[symbol], self._units[symbol], self._costs[symbol]
            del self._values[symbol]
            self._revalue.discard(symbol)
            self._warned.discard(symbol)
            self._batch_follows(symbol, removed=True)
        return taken if taken.quantity > 0 else None

    def _keep(self, symbol: str, lot: Lot) -> None:
        self._lots[symbol], self._units[symbol], self._costs[symbol] = lot, float(lot.quantity), lot.cost_usdt

    def lots(self) -> dict[str, Lot]:
        """Every symbol's dust (a copy: what the state store keeps)."""
        return dict(self._lots)

    def restore(self, lots: dict[str, Lot]) -> None:
        """Take the dust a previous run left (the state store), each valued at its cost until a price."""
        self._settle_values()
        for symbol, lot in lots.items():
            if lot.quantity > 0:
                self._keep(symbol, lot)
                self._last_price[symbol] = lot.price
                self._values.setdefault(symbol, 0.0)
                self._revalue.add(symbol)
        self._cost_sum, self._batch = None, None
        self.version += 1

    def value(self, price_of: Callable[[str], float | None], moved: Set[str] | None = None,
              prices_of: PricesOf | None = None) -> float:
        """Market value of all the dust, at each symbol's last known price. `moved`: the symbols whose
        `price_of` may have changed since the last call (None: any may have); only those and the lots
        changed since are valued again (a replay calls this a few times a minute over many symbols).
        `prices_of`: the same prices, all asked in one call, for when every lot is valued again."""
        lots, values, fallback = self._lots, self._values, self._last_price
        unmoved = moved is not None and lots.keys().isdisjoint(moved)  # iterates over the smaller
        if unmoved and not self._revalue and self._value_sum is not None:
            return self._value_sum  # nothing valued moved (most calls of a replay)
        lots_changed = bool(self._revalue) or self._value_sum is None
        if prices_of is not None and lots and moved is None:
            return self._value_all(prices_of)  # every price may have moved: all at once
        if prices_of is not None and lots and not moved and lots_changed:  # no price moved but a lot did
            return self._value_changed(price_of, prices_of)
        stale = lots.keys() if moved is None else self._revalue | (moved & lots.keys())
        self._settle_values()
        if stale or self._value_sum is None:
            for symbol in stale:
                lot = lots[symbol]
                values[symbol] = float(lot.quantity) * (price_of(symbol) or fallback.get(symbol, lot.price))
            self._revalue.clear()
            self._value_sum = sum(values.values())
        return self._value_sum

    def values_along(self, prices: PricePath) -> list[float]:
        """`value` at each instant of a path of prices (its columns), the lots unchanged all along: the
        same products, summed in the same order."""
        return self._batched().values_along(prices)

    def _batched(self) -> DustBatch:
        if self._batch is None:
            symbols, fallback, lots = tuple(self._values), self._last_price, self._lots
            self._batch = DustBatch(symbols, [self._units[s] for s in symbols],
                                    [fallback.get(s, lots[s].price) for s in symbols])
        return self._batch

    def _value_all(self, prices_of: PricesOf) -> float:
        """Every lot valued anew in one pass (the bits of the loop above); the per-symbol values are
        written back only when one symbol is valued again (`_settle_values`)."""
        self._value_sum = self._batched().value_all(prices_of)
        self._revalue.clear()
        return self._value_sum

    def _value_changed(self, price_of: Callable[[str], float | None], prices_of: PricesOf) -> float:
        """No price moved since the last valuation, some lots changed: those valued again, the rest kept
        (all at once when the last valuation was not all at once)."""
        batch = self._batch
        total = None if batch is None else batch.value_changed(price_of)
        if total is None:
            return self._value_all(prices_of)
        self._value_sum = total
        self._revalue.clear()
        return total

    def _batch_follows(self, symbol: str, *, removed: bool = False) -> None:
        batch = self._batch
        if batch is not None and not batch.follow(symbol, self._units.get(symbol, 0.0),
                                                  self._last_price.get(symbol, 0.0), removed=removed):
            self._batch, self._value_sum = None, None  # out of step (cannot happen): all valued anew
            self._revalue.update(self._lots)

    def _settle_values(self) -> None:
        """Write the last all-at-once valuation back into the per-symbol values (before they are read)."""
        batch = self._batch
        if batch is not None and batch.products is not None:
            self._values.update(zip(batch.symbols, batch.products.tolist(), strict=True))
            batch.products = None

    def cost(self) -> float:
        """Cost basis (price paid and entry fees) of all the dust (summed again only when a lot changed)."""
        if self._cost_sum is None:
            self._cost_sum = sum(self._costs.values())
        return self._cost_sum
