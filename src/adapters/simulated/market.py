"""What the simulator knows of one symbol's market, and how an order takes liquidity from it.

A depth book (`OrderBook`) is taken as all the liquidity there is: an order larger than it fills
partially. A `BookTop` only shows the best level, so what lies beyond it is modelled at a slipped price.
Liquidity a simulated order took is remembered until the next book, so two orders never eat the same
level twice.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import ROUND_DOWN, Decimal

from domain.values import BookTop, OrderBook

Level = tuple[Decimal, Decimal | None]  # (price, available quantity); None = unlimited (modelled)
ZERO = Decimal(0)


def dec(value: float) -> Decimal:
    """A float market value as the Decimal it was printed as ("0.1", not 0.1000000000000000055...)."""
    return Decimal(repr(value))


def floor_to_step(quantity: Decimal, step: Decimal) -> Decimal:
    if step <= 0:
        return quantity
    return (quantity / step).to_integral_value(rounding=ROUND_DOWN) * step


class SymbolMarket:
    """The last book (depth or top) and the last traded price of one symbol."""

    def __init__(self, symbol: str) -> None:
        self.symbol = symbol
        self._last_price: Decimal | None = None
        self._last_float: float | None = None  # a last price not converted yet: most are never read
        self.last_time_ms = 0
        self.book_time_ms = 0
        self.top_only = False
        self.has_book = False  # both sides known: kept with the book (read on every order and bar)
        self._raw_bids: Sequence[tuple[float, float]] = ()
        self._raw_asks: Sequence[tuple[float, float]] = ()
        self._bids: list[list[Decimal]] | None = None  # converted lazily: most books are never walked
        self._asks: list[list[Decimal]] | None = None

    # -- updates ----------------------------------------------------------------------------------------
    def set_book(self, book: OrderBook | BookTop, time_ms: int) -> None:
        if isinstance(book, BookTop):
            self._raw_bids, self._raw_asks = ((book.bid, book.bid_qty),), ((book.ask, book.ask_qty),)
            self.top_only = True
        else:
            self._raw_bids, self._raw_asks = book.bids, book.asks
            self.top_only = False
        self._bids = self._asks = None
        self.has_book = bool(self._raw_bids) and bool(self._raw_asks)
        self.book_time_ms = time_ms

    def set_last(self, price: Decimal, time_ms: int) -> None:
        self._last_price, self._last_float = price, None
        self.last_time_ms = max(self.last_time_ms, time_ms)

    def set_last_float(self, price: float, time_ms: int) -> None:
        """`set_last(dec(price))`, the conversion made only if the price is read (a bar's close, a trade)."""
        self._last_float = price
        self.last_time_ms = max(self.last_time_ms, time_ms)

    @property
    def last_price(self) -> Decimal | None:
        if self._last_float is not None:
            self._last_price, self._last_float = dec(self._last_float), None
        return self._last_price

    def drop_book(self) -> None:
        self._raw_bids = self._raw_asks = ()
        self._bids = self._asks = None
        self.has_book = False

    # -- reading ----------------------------------------------------------------------------------------
    def best_bid(self) -> Decimal | None:
        if not self._raw_bids:  # no book (a backtest's usual case): nothing to convert or walk
            return None
        return next((p for p, q in self._side(False) if q > 0), None)

    def best_ask(self) -> Decimal | None:
        if not self._raw_asks:
            return None
        return next((p for p, q in self._side(True) if q > 0), None)

    def reference_price(self) -> Decimal | None:
        """The book's mid when there is a book, else the last price: what the NOTIONAL check uses."""
        bid, ask = self.best_bid(), self.best_ask()
        if bid is not None and ask is not None:
            return (bid + ask) / 2
        return self.last_price

    def current_price(self) -> Decimal | None:
        """The freshest price known: the last trade (or bar close), unless a newer book says otherwise.
        What Binance's checks against "the last price" use here."""
        if self.has_book and (self.last_price is None or self.book_time_ms > self.last_time_ms):
            return self.reference_price()
        return self.last_price

    def levels(self, *, buy: bool, beyond: Decimal | None) -> Iterator[Level]:
        """Levels a BUY (asks) or SELL (bids) takes, best first; then `beyond` with unlimited size when
        the depth is unknown (top only, or no book at all)."""
        for price, qty in self._side(buy):
            if qty > 0:
                yield price, qty
        if beyond is not None and (self.top_only or not self.has_book):
            yield beyond, None

    def depth_through(self, *, buy: bool, limit: Decimal) -> Decimal:
        """How much the other side offers strictly through `limit`: asks below a resting BUY's price,
        bids above a resting SELL's."""
        return sum((q for p, q in self._side(buy) if (p < limit if buy else p > limit)), ZERO)

    def consume(self, *, buy: bool, price: Decimal, quantity: Decimal) -> None:
        for level in self._side(buy):
            if level[0] == price:
                level[1] = max(ZERO, level[1] - quantity)
                return

    def _side(self, buy: bool) -> list[list[Decimal]]:
        if buy:
            if self._asks is None:
                self._asks = [[dec(p), dec(q)] for p, q in self._raw_asks]
            return self._asks
        if self._bids is None:
            self._bids = [[dec(p), dec(q)] for p, q in self._raw_bids]
        return self._bids


def plan_take(levels: Iterator[Level], *, buy: bool, quantity: Decimal | None, quote: Decimal | None,
              limit: Decimal | None, step: Decimal) -> tuple[list[tuple[Decimal, Decimal]], bool]:
    """Fills (price, qty) of a taker order walking `levels` best first, stopping at `limit` (when given),
    and whether the levels ran out before the order was done (a MARKET order then ends EXPIRED).

    Exactly one of `quantity` (base) or `quote` (quoteOrderQty: spend/receive at most this) bounds it;
    the total is a multiple of `step`."""
    usable: list[Level] = []
    for price, available in levels:
        if limit is not None and (price > limit if buy else price < limit):
            break
        usable.append((price, available))
    bounded = all(a is not None for _, a in usable)
    depth = sum((a for _, a in usable if a is not None), ZERO)
    if quote is not None:
        wanted, short = _affordable(usable, quote)
    else:
        assert quantity is not None
        wanted, short = quantity, bounded and quantity > depth
    remaining = floor_to_step(min(wanted, depth) if bounded else wanted, step)
    fills: list[tuple[Decimal, Decimal]] = []
    for price, available in usable:
        if remaining <= 0:
            break
        take = remaining if available is None else min(remaining, available)
        fills.append((price, take))
        remaining -= take
    return fills, short


def _affordable(levels: Sequence[Level], quote: Decimal) -> tuple[Decimal, bool]:
    """Base quantity that `quote` buys (or that must be sold to receive it) walking the levels, and
    whether quote was left over when the levels ran out."""
    remaining, quantity = quote, ZERO
    for price, available in levels:
        if available is not None and price * available <= remaining:
            quantity += available
            remaining -= price * available
            continue
        return quantity + remaining / price, False
    return quantity, remaining > 0
