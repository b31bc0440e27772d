"""Binance market stream names: build them, split them, and batch them into control messages.

Stream names are lowercase (`btcusdt@kline_1m`, `btcusdt@depth20@100ms`); `!miniTicker@arr` is the
all-market mini ticker. The kind is everything after the first `@`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import Enum

ALL_MINI_TICKERS = "!miniTicker@arr"
SERVER_SHUTDOWN = "!serverShutdown"
DEFAULT_DETAIL_KINDS = ("kline_1m", "depth20@100ms", "aggTrade")


class StreamKind(Enum):
    MINI_TICKER_ARRAY = "miniTicker array"
    MINI_TICKER = "miniTicker"
    KLINE = "kline"
    PARTIAL_DEPTH = "partial depth"
    BOOK_TICKER = "bookTicker"
    AGG_TRADE = "aggTrade"
    TRADE = "trade"
    SERVER_SHUTDOWN = "serverShutdown"


@dataclass(frozen=True, slots=True)
class StreamRoute:
    """What a stream carries and for which symbol (upper case; empty for all-market streams)."""

    kind: StreamKind
    symbol: str


def stream_name(symbol: str, kind: str) -> str:
    return f"{symbol.lower()}@{kind}"


def detail_streams(symbol: str, kinds: Sequence[str]) -> list[str]:
    return [stream_name(symbol, kind) for kind in kinds]


def _kind_of(suffix: str) -> StreamKind | None:
    if suffix.startswith("kline_"):
        return StreamKind.KLINE
    head = suffix.split("@", 1)[0]
    if head in ("depth5", "depth10", "depth20"):
        return StreamKind.PARTIAL_DEPTH
    return {"miniTicker": StreamKind.MINI_TICKER, "bookTicker": StreamKind.BOOK_TICKER,
            "aggTrade": StreamKind.AGG_TRADE, "trade": StreamKind.TRADE}.get(suffix)


def route_of(name: str) -> StreamRoute | None:
    """The route of a stream name, or None for a stream this feed does not understand."""
    if name == ALL_MINI_TICKERS:
        return StreamRoute(StreamKind.MINI_TICKER_ARRAY, "")
    if name == SERVER_SHUTDOWN:
        return StreamRoute(StreamKind.SERVER_SHUTDOWN, "")
    symbol, sep, suffix = name.partition("@")
    if not sep or not symbol or symbol.startswith("!"):
        return None
    kind = _kind_of(suffix)
    return StreamRoute(kind, symbol.upper()) if kind is not None else None


def batches(streams: Sequence[str], size: int) -> Iterator[list[str]]:
    """Split a subscription into control messages of at most `size` params each."""
    if size < 1:
        raise ValueError(f"batch size must be >= 1, got {size}")
    for start in range(0, len(streams), size):
        yield list(streams[start:start + size])
