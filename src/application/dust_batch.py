"""The dust's lots as arrays, to value every lot in one numpy pass (a replay values all its dust once a
minute, over about a hundred symbols).

The arrays follow the ledger's order (holdings.DustLedger._values), so the products are summed in the
same order as valuing each lot on its own; an accumulation adds them one after the other, as `sum` does,
so the totals are the same bits. A lot that changes updates its row in place, is dropped or appended
last (a replay changes a lot at every entry and exit: rebuilding the arrays cost more than valuing).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]
# Many symbols priced in one call, in the order asked (NaN: no price): a replay values all its dust a minute.
PricesOf = Callable[[Sequence[str]], Sequence[float] | Floats]
# Prices of many symbols at several instants: (symbols, instants), NaN where a symbol has no price.
PricePath = Callable[[Sequence[str]], Floats]


class DustBatch:
    def __init__(self, symbols: Sequence[str], units: Sequence[float], fallbacks: Sequence[float]) -> None:
        """`units`: each lot's units as a float; `fallbacks`: the price each is valued at without one."""
        self.symbols = tuple(symbols)
        self._units = np.array(units, dtype=np.float64)
        self._fallbacks = np.array(fallbacks, dtype=np.float64)
        self.products: Floats | None = None  # each lot's value at the last `value_all`

    def value_all(self, prices_of: PricesOf) -> float:
        """Every lot at `prices_of`'s prices (0 or NaN: its fallback, as `price or fallback` does)."""
        prices = np.asarray(prices_of(self.symbols), dtype=np.float64)
        known = (prices == prices) & (prices != 0)  # p == p: not NaN
        self.products = self._units * np.where(known, prices, self._fallbacks)
        return float(np.add.accumulate(self.products)[-1])  # np.cumsum, without its dispatch

    def values_along(self, prices: PricePath) -> list[float]:
        """`value_all` at each instant of a path of prices (its columns)."""
        path = prices(self.symbols)
        if not self.symbols:
            return [0.0] * path.shape[1]
        known = ~np.isnan(path) & (path != 0)
        products = self._units[:, None] * np.where(known, path, self._fallbacks[:, None])
        totals: list[float] = np.cumsum(products, axis=0)[-1].tolist()
        return totals

    def follow(self, symbol: str, units: float, fallback: float, *, removed: bool = False) -> bool:
        """`symbol`'s lot changed: its row updated, dropped, or appended last (its product is stale until
        the next `value_all`: the ledger values it again). False when a dropped symbol was not here."""
        symbols = self.symbols
        at = symbols.index(symbol) if symbol in symbols else -1
        products = self.products
        if removed:
            if at < 0:
                return False
            self.symbols = symbols[:at] + symbols[at + 1:]
            self._units, self._fallbacks = np.delete(self._units, at), np.delete(self._fallbacks, at)
            self.products = None if products is None else np.delete(products, at)
        elif at >= 0:
            self._units[at], self._fallbacks[at] = units, fallback
        else:
            self.symbols = (*symbols, symbol)
            self._units, self._fallbacks = np.append(self._units, units), np.append(self._fallbacks, fallback)
            self.products = None if products is None else np.append(products, 0.0)
        return True
