"""The dust's lots as arrays, to value every lot in one numpy pass (a replay values all its dust once a
minute, over about a hundred symbols).

The arrays follow the ledger's order (holdings.DustLedger._values), so the products are summed in the
same order as valuing each lot on its own; an accumulation adds them one after the other, as `sum` does,
so the totals are the same bits. A lot that changes updates its row in place, is dropped or appended
last (a replay changes a lot at every entry and exit: rebuilding the arrays cost more than valuing).
Prices kept by rows (PricesByRow: a replay's grid) are read by each lot's row, no name looked up.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]
# Many symbols priced in one call, in the order asked (NaN: no price): a replay values all its dust a minute.
PricesOf = Callable[[Sequence[str]], Sequence[float] | Floats]
# Prices of many symbols at several instants: (symbols, instants), NaN where a symbol has no price.
PricePath = Callable[[Sequence[str]], Floats]


@runtime_checkable
class PricesByRow(Protocol):
    """PricesOf whose prices sit in fixed rows (a replay's grid of symbols): each lot's row is looked up
    once, then every price of the instant is one column read by those rows."""

    def __call__(self, symbols: Sequence[str]) -> Floats: ...

    def row_of(self, symbol: str) -> int:
        """`symbol`'s row of `column()` (a row that is always NaN when it has none)."""
        ...

    def column(self) -> Floats:
        """Every row's price now; NaN where none, and never 0 (no price reads as NaN)."""
        ...


class DustBatch:
    def __init__(self, symbols: Sequence[str], units: Sequence[float], fallbacks: Sequence[float]) -> None:
        """`units`: each lot's units as a float; `fallbacks`: the price each is valued at without one."""
        self.symbols = tuple(symbols)
        self._names = set(self.symbols)  # the symbols held, as a set: is a lot new or held already
        # Rows 0, 1 and 2: units, fallbacks and products (`products`) of the first len(symbols) columns;
        # spare columns after them, so a lot dropped or appended moves a few floats, no array is built.
        self._rows = np.zeros((3, max(2 * len(self.symbols), 16)))
        self._rows[0, :len(self.symbols)], self._rows[1, :len(self.symbols)] = units, fallbacks
        self._valued = False  # row 2 holds the products of the last `value_all`
        # The lots changed since, their products not valued again yet: each symbol's column (kept right
        # when a lot before it is dropped), so valuing them again searches no symbol.
        self._changed: dict[str, int] = {}
        self._source: object = None  # the prices the rows below are of
        self._by_row: PricesByRow | None = None
        self._at = np.zeros(self._rows.shape[1], dtype=np.intp)  # with PricesByRow: each lot's row there
        # The lots held: views of their units, rows (by PricesByRow) and products.
        self._views: tuple[Floats, npt.NDArray[np.intp], Floats] | None = None

    @property
    def products(self) -> Floats | None:
        """Each lot's value at the last `value_all` (None: none since it was set to None)."""
        return self._held()[2] if self._valued else None

    @products.setter
    def products(self, products: None) -> None:
        self._valued = False

    def value_all(self, prices_of: PricesOf) -> float:
        """Every lot at `prices_of`'s prices (0 or NaN: its fallback, as `price or fallback` does)."""
        n = len(self.symbols)
        if prices_of is not self._source:
            self._read_from(prices_of)
        self._changed.clear()
        self._valued = True
        if not n:
            return 0.0
        units, at, products = self._held()
        by_row = self._by_row
        if by_row is not None:
            prices = by_row.column()[at]
            np.multiply(units, prices, products)  # out positional, item(): fewer steps a minute
            total: float = np.add.accumulate(products).item(-1)
            if total == total:  # no price was NaN (nor 0: NaN by row): the fallbacks are not needed
                return total
        else:
            prices = np.asarray(prices_of(self.symbols), dtype=np.float64)
        known = (prices == prices) & (prices != 0)  # p == p: not NaN
        np.multiply(units, np.where(known, prices, self._rows[1, :n]), out=products)
        total = np.add.accumulate(products).item(-1)  # np.cumsum, without its dispatch
        return total

    def value_changed(self, price_of: Callable[[str], float | None]) -> float | None:
        """`value_all` at the prices of the last one (none moved since), after lots changed: only the
        changed lots valued again (each at `price_of`, its fallback when none), the products summed in
        the same order: the same bits. None when there is no such last valuation."""
        products = self.products
        if products is None or not len(self.symbols):
            return None
        column = None if self._by_row is None else self._by_row.column()
        lots, price_rows = self._rows, self._at  # item(): Python numbers, no numpy scalar
        for symbol, at in self._changed.items():
            price = price_of(symbol) if column is None else column.item(price_rows.item(at))
            if price is None or price != price or price == 0:  # as `value_all`'s mask: the fallback
                price = lots.item(1, at)
            products[at] = lots.item(0, at) * price
        self._changed.clear()
        total: float = np.add.accumulate(products).item(-1)
        return total

    def values_along(self, prices: PricePath) -> list[float]:
        """`value_all` at each instant of a path of prices (its columns)."""
        n, path = len(self.symbols), prices(self.symbols)
        if not n:
            return [0.0] * path.shape[1]
        units = self._rows[0, :n, None]
        if path.all():  # no price is 0: a NaN one makes its instant's total NaN, any other needs no fallback
            totals: list[float] = np.add.accumulate(units * path, axis=0)[-1].tolist()
            if all(total == total for total in totals):  # total == total: not NaN
                return totals
        known = ~np.isnan(path) & (path != 0)
        products = units * np.where(known, path, self._rows[1, :n, None])
        totals = np.add.accumulate(products, axis=0)[-1].tolist()
        return totals

    def follow(self, symbol: str, units: float, fallback: float, *, removed: bool = False) -> bool:
        """`symbol`'s lot changed: its column updated, dropped, or appended last (its product is stale
        until the next `value_all`: the ledger values it again). False when a dropped symbol was not here."""
        symbols, rows, names = self.symbols, self._rows, self._names
        at = symbols.index(symbol) if symbol in names else -1  # a lot appended (most): no search, no raise
        n = len(symbols)
        if removed:
            if at < 0:
                return False
            self.symbols = symbols[:at] + symbols[at + 1:]
            names.discard(symbol)
            changed = self._changed
            changed.pop(symbol, None)
            for other, column in changed.items():
                if column > at:
                    changed[other] = column - 1
            rows[:, at:n - 1] = rows[:, at + 1:n]
            self._at[at:n - 1] = self._at[at + 1:n]
            self._views = None
        elif at >= 0:
            rows[0, at], rows[1, at] = units, fallback
            self._changed[symbol] = at
        else:
            if n == rows.shape[1]:
                self._rows = rows = np.concatenate((rows, np.zeros_like(rows)), axis=1)
                self._at = np.concatenate((self._at, np.zeros_like(self._at)))
            self.symbols = (*symbols, symbol)
            names.add(symbol)
            rows[0, n], rows[1, n], rows[2, n] = units, fallback, 0.0
            if self._by_row is not None:
                self._at[n] = self._by_row.row_of(symbol)
            self._changed[symbol] = n
            self._views = None
        return True

    def _read_from(self, prices_of: PricesOf) -> None:
        """Prices from `prices_of` from now on: by rows when it keeps them (each lot's row looked up)."""
        self._source, self._views = prices_of, None
        self._by_row = prices_of if isinstance(prices_of, PricesByRow) else None
        if self._by_row is not None:
            self._at[:len(self.symbols)] = [self._by_row.row_of(s) for s in self.symbols]

    def _held(self) -> tuple[Floats, npt.NDArray[np.intp], Floats]:
        """Views of the units, rows and products of the lots held (made again when a lot comes or goes)."""
        if self._views is None:
            n = len(self.symbols)
            self._views = self._rows[0, :n], self._at[:n], self._rows[2, :n]
        return self._views
