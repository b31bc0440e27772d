"""Binance wire payloads built from the tape (binance-spot-api.md 1.6 and 4.4): strings with 8 decimals
for prices and quantities, integer milliseconds for times, the field letters Binance uses."""

from __future__ import annotations

from typing import Any

from adapters.simulated.venue.book import SyntheticBook
from adapters.simulated.venue.tape import BarView, WindowView
from domain.time_units import MINUTE_MS

Json = dict[str, Any]


def d8(value: float) -> str:
    return f"{value:.8f}"


def kline(symbol: str, bar: BarView, event_ms: int) -> Json:
    first_id = bar.index * 1_000_000  # per-bar trade id ranges: increasing, never reused
    return {"e": "kline", "E": event_ms, "s": symbol, "k": {
        "t": bar.open_time_ms, "T": bar.open_time_ms + MINUTE_MS - 1, "s": symbol, "i": "1m",
        "f": first_id, "L": first_id + max(bar.trades - 1, 0), "o": d8(bar.open), "c": d8(bar.close),
        "h": d8(bar.high), "l": d8(bar.low), "v": d8(bar.volume), "n": bar.trades, "x": bar.closed,
        "q": d8(bar.quote_volume), "V": d8(bar.taker_buy_base_volume), "Q": d8(bar.taker_buy_quote_volume),
        "B": "0"}}


def rest_kline_row(bar: BarView) -> list[Any]:
    return [bar.open_time_ms, d8(bar.open), d8(bar.high), d8(bar.low), d8(bar.close), d8(bar.volume),
            bar.open_time_ms + MINUTE_MS - 1, d8(bar.quote_volume), bar.trades, d8(bar.taker_buy_base_volume),
            d8(bar.taker_buy_quote_volume), "0"]


def mini_ticker(symbol: str, w: WindowView, event_ms: int) -> Json:
    return {"e": "24hrMiniTicker", "E": event_ms, "s": symbol, "c": d8(w.close), "o": d8(w.open),
            "h": d8(w.high), "l": d8(w.low), "v": d8(w.volume), "q": d8(w.quote_volume)}


def full_ticker(symbol: str, w: WindowView, book: SyntheticBook | None, event_ms: int) -> Json:
    change = w.close - w.open
    bid, bid_qty = book.bids[0] if book and book.bids else (0.0, 0.0)
    ask, ask_qty = book.asks[0] if book and book.asks else (0.0, 0.0)
    return {"e": "24hrTicker", "E": event_ms, "s": symbol, "p": d8(change),
            "P": f"{change / w.open * 100:.3f}", "w": d8(w.quote_volume / w.volume if w.volume else w.close),
            "x": d8(w.open), "c": d8(w.close), "Q": d8(0.0), "b": d8(bid), "B": d8(bid_qty), "a": d8(ask),
            "A": d8(ask_qty), "o": d8(w.open), "h": d8(w.high), "l": d8(w.low), "v": d8(w.volume),
            "q": d8(w.quote_volume), "O": w.open_time_ms, "C": event_ms, "F": w.first_trade_id,
            "L": w.last_trade_id, "n": w.trades}


def rest_ticker(symbol: str, w: WindowView, book: SyntheticBook | None, now_ms: int, *, mini: bool) -> Json:
    """GET /api/v3/ticker/24hr item, FULL or MINI."""
    t = full_ticker(symbol, w, book, now_ms)
    out: Json = {"symbol": symbol}
    if not mini:
        out |= {"priceChange": t["p"], "priceChangePercent": t["P"], "weightedAvgPrice": t["w"],
                "prevClosePrice": t["x"]}
    out |= {"lastPrice": t["c"]}
    if not mini:
        out |= {"lastQty": t["Q"], "bidPrice": t["b"], "bidQty": t["B"], "askPrice": t["a"], "askQty": t["A"]}
    out |= {"openPrice": t["o"], "highPrice": t["h"], "lowPrice": t["l"], "volume": t["v"],
            "quoteVolume": t["q"], "openTime": t["O"], "closeTime": t["C"], "firstId": t["F"],
            "lastId": t["L"], "count": t["n"]}
    return out


def book_ticker(symbol: str, book: SyntheticBook) -> Json:
    (bid, bid_qty), (ask, ask_qty) = book.bids[0], book.asks[0]
    return {"u": book.update_id, "s": symbol, "b": d8(bid), "B": d8(bid_qty), "a": d8(ask), "A": d8(ask_qty)}


def trade(symbol: str, bar: BarView, event_ms: int, trade_id: int, qty: float, *, aggregate: bool) -> Json:
    """One trade at the bar's current price; the buyer is the maker when the price is falling."""
    common = {"E": event_ms, "s": symbol, "p": d8(bar.close), "q": d8(qty), "T": event_ms,
              "m": not bar.rising, "M": True}
    if aggregate:
        return {"e": "aggTrade", **common, "a": trade_id, "f": trade_id, "l": trade_id}
    return {"e": "trade", **common, "t": trade_id}
