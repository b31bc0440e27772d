"""Symbol universes that are not Binance's ranking: a fixed list, and the feed kept on the universe.

* `FixedUniverse` is `trading.symbols` when `scanner.dynamic_symbols` is off.
* `FeedFollowsUniverse` passes each refreshed universe to the feed, so the one ticker stream is
  filtered to the pairs the scanner follows (the loop only tells the scanner).
"""

from __future__ import annotations

from collections.abc import Sequence

from ports.market_feed import UniverseFeed
from ports.symbols import SymbolUniverse


class FixedUniverse:
    def __init__(self, symbols: Sequence[str]) -> None:
        self._symbols = [s.upper() for s in symbols]

    async def tradable_symbols(self) -> Sequence[str]:
        return list(self._symbols)


class FeedFollowsUniverse:
    def __init__(self, universe: SymbolUniverse, feed: UniverseFeed) -> None:
        self._universe, self._feed = universe, feed
        self._told: list[str] | None = None

    async def tradable_symbols(self) -> Sequence[str]:
        symbols = list(await self._universe.tradable_symbols())
        if symbols and symbols != self._told:
            await self._feed.set_universe(symbols)
            self._told = symbols
        return symbols
