"""Market-data parsers on payloads Binance really sent (../shared/data), and on corrupted copies."""

from __future__ import annotations

import copy
import gzip
import json
import lzma
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import numpy as np
import pytest

from adapters.binance.parse import (
    MiniTickerItem,
    decode_stream_frame,
    interval_ms,
    parse_agg_trade,
    parse_book_ticker,
    parse_depth,
    parse_kline,
    parse_mini_ticker,
    parse_mini_ticker_array,
    parse_rest_klines,
    parse_trade,
)
from domain.values import CorruptMarketData, Ticker


def _json(path: Path) -> Any:
    return json.loads(path.read_text())


def _cryptofeed_ws(recorded: Path) -> list[dict[str, Any]]:
    """The combined-stream messages of the 2021 cryptofeed capture (`<seconds>: <json>` lines)."""
    messages = []
    with lzma.open(recorded / "cryptofeed_raw" / "BINANCE.ws.1.0.txt.xz", "rt") as lines:
        for line in lines:
            if line.startswith("wss://") or ": " not in line:
                continue
            messages.append(json.loads(line.split(": ", 1)[1]))
    return messages


def _hftbacktest(shared_data: Path, name: str, limit: int) -> Iterator[dict[str, Any]]:
    with gzip.open(shared_data / "hftbacktest_ws" / name, "rt") as lines:
        for n, line in enumerate(lines):
            if n >= limit:
                return
            yield json.loads(line.split(" ", 1)[1])


@pytest.fixture(scope="module")
def ws_json(recorded: Path) -> Path:
    return recorded / "nautilus_trader" / "spot_ws_json"


@pytest.fixture(scope="module")
def http_json(recorded: Path) -> Path:
    return recorded / "nautilus_trader" / "spot_http_json"


def test_mini_ticker_fields_come_from_the_payload(ws_json: Path) -> None:
    raw = _json(ws_json / "ws_spot_ticker_24hr.json")  # a 24hrTicker: a superset of the mini ticker
    ticker = parse_mini_ticker(raw)
    assert ticker.symbol == raw["s"] and ticker.event_time_ms == raw["E"]
    assert (ticker.close, ticker.open, ticker.high, ticker.low) == tuple(float(raw[k]) for k in "cohl")
    assert (ticker.volume, ticker.quote_volume) == (float(raw["v"]), float(raw["q"]))


def test_mini_ticker_array_keeps_good_items_and_counts_corrupt_ones(ws_json: Path) -> None:
    good = _json(ws_json / "ws_spot_ticker_24hr.json")
    other = dict(good, s="ETHBTC")
    negative = dict(good, s="XRPBTC", c="-1")
    missing = {k: v for k, v in good.items() if k != "h"}
    table = parse_mini_ticker_array([good, other, negative, missing])
    assert list(table.symbols) == [good["s"], "ETHBTC"] and list(table) == [parse_mini_ticker(good),
                                                                          parse_mini_ticker(other)]
    assert table.rejected == 2
    only = parse_mini_ticker_array([good, other, negative], wanted={"ETHBTC"})
    assert only.symbols == ("ETHBTC",) and only.rejected == 0
    with pytest.raises(CorruptMarketData, match="array"):
        parse_mini_ticker_array(good)


def _frame(items: list[dict[str, Any]]) -> bytes:
    """A `!miniTicker@arr` combined-stream frame as Binance writes it (compact JSON)."""
    return json.dumps({"stream": "!miniTicker@arr", "data": items}, separators=(",", ":")).encode()


def _variants(good: dict[str, Any], n: int, seed: int = 5) -> list[dict[str, Any]]:
    """`n` mini tickers shaped like the recorded message, with prices and volumes over many magnitudes."""
    rng = np.random.default_rng(seed)
    mini = {k: good[k] for k in ("e", "E", "s", "c", "o", "h", "l", "v", "q")} | {"e": "24hrMiniTicker"}
    out = []
    for i in range(n):
        price = float(np.exp(rng.uniform(np.log(1e-8), np.log(1e5))))
        volume = float(np.exp(rng.uniform(np.log(1e-3), np.log(1e12))))
        out.append(mini | {"E": mini["E"] + i, "s": f"S{i}USDT", "c": f"{price:.8f}",
                           "o": f"{price * 0.99:.8f}", "h": f"{price * 1.01:.8f}", "l": f"{price * 0.98:.8f}",
                           "v": f"{volume:.8f}", "q": f"{volume * price:.8f}"})
    return [mini, *out]


def test_typed_decoding_gives_exactly_the_per_item_parser_s_tickers(ws_json: Path) -> None:
    """One msgspec pass turns the decimal strings into the very floats `float(text)` gives."""
    items = _variants(_json(ws_json / "ws_spot_ticker_24hr.json"), 3000)
    frame = decode_stream_frame(_frame(items))
    assert frame.stream == "!miniTicker@arr" and isinstance(frame.data, list)
    assert all(isinstance(item, MiniTickerItem) for item in frame.data)
    table = parse_mini_ticker_array(frame.data)
    assert table.narrow and table.rejected == 0  # the open and the base volume are not decoded

    def carried(t: Ticker) -> tuple[object, ...]:
        return t.symbol, t.event_time_ms, t.close, t.high, t.low, t.quote_volume

    assert [carried(t) for t in table] == [carried(parse_mini_ticker(item)) for item in items]
    assert np.isnan(table.open).all() and np.isnan(table.volume).all()
    wanted = {"S7USDT", "S3USDT", "NOPE"}
    assert parse_mini_ticker_array(frame.data, wanted).symbols == ("S3USDT", "S7USDT")
    assert decode_stream_frame(_frame(items).decode()).data == frame.data  # text or bytes alike


def test_typed_decoding_drops_and_counts_values_that_cannot_be_real(ws_json: Path) -> None:
    good, *_ = _variants(_json(ws_json / "ws_spot_ticker_24hr.json"), 0)
    bad = [good | {"s": "A", "c": "NaN"}, good | {"s": "B", "l": "0.00000000"}, good | {"s": "C", "q": "-1"},
           good | {"s": "D", "h": "inf"}]
    frame = decode_stream_frame(_frame([good, *bad, good | {"s": "E"}]))
    table = parse_mini_ticker_array(frame.data)  # type: ignore[arg-type]
    assert table.symbols == (good["s"], "E") and table.rejected == 4


@pytest.mark.parametrize("item_change", [{"h": "abc"}, {"h": None}, {"E": "late"}, {"q": []}])
def test_a_malformed_item_makes_typed_decoding_refuse_so_the_careful_path_runs(
        ws_json: Path, item_change: dict[str, Any]) -> None:
    good, *_ = _variants(_json(ws_json / "ws_spot_ticker_24hr.json"), 0)
    text = _frame([good, good | item_change])
    with pytest.raises(msgspec.ValidationError):
        decode_stream_frame(text)
    table = parse_mini_ticker_array(json.loads(text)["data"])
    assert table.symbols == (good["s"],) and table.rejected == 1
    with pytest.raises(msgspec.DecodeError):
        decode_stream_frame(text[:-3])


def test_kline_stream_messages_of_the_capture(recorded: Path) -> None:
    klines = [m for m in _cryptofeed_ws(recorded) if m["stream"].endswith("@kline_1m")]
    assert len(klines) >= 2
    for message in klines:
        k = message["data"]["k"]
        candle = parse_kline(message["data"])
        assert candle.symbol == k["s"] and candle.open_time_ms == k["t"]
        assert candle.close_time_ms == k["T"] and candle.interval_ms == 60_000
        assert (candle.open, candle.high, candle.low, candle.close) == tuple(float(k[f]) for f in "ohlc")
        assert candle.volume == float(k["v"]) and candle.quote_volume == float(k["q"])
        assert candle.trades == k["n"] and candle.taker_buy_base_volume == float(k["V"])
        assert candle.closed is k["x"]


def test_agg_trade_and_book_ticker_messages_of_the_capture(recorded: Path) -> None:
    messages = _cryptofeed_ws(recorded)
    trades = [m["data"] for m in messages if m["stream"].endswith("@aggTrade")]
    tops = [m["data"] for m in messages if m["stream"].endswith("@bookTicker")]
    assert trades and len(tops) > 50
    for raw in trades:
        trade = parse_agg_trade(raw)
        assert (trade.trade_id, trade.price, trade.quantity, trade.time_ms) == (
            raw["a"], float(raw["p"]), float(raw["q"]), raw["T"])
        assert trade.buyer_is_maker is raw["m"]
    for raw in tops:
        top = parse_book_ticker(raw, time_ms=123)  # spot bookTicker has no event time
        assert top.time_ms == 123 and top.bid < top.ask
        assert (top.bid, top.bid_qty, top.ask, top.ask_qty) == tuple(float(raw[k]) for k in "bBaA")


def test_nautilus_single_messages(ws_json: Path) -> None:
    agg = _json(ws_json / "ws_spot_agg_trade.json")["data"]
    assert parse_agg_trade(agg).trade_id == agg["a"]
    trade = _json(ws_json / "ws_spot_trade.json")["data"]
    parsed = parse_trade(trade)
    assert (parsed.trade_id, parsed.symbol, parsed.buyer_is_maker) == (trade["t"], trade["s"], trade["m"])
    book = _json(ws_json / "ws_spot_ticker_book.json")["data"]
    assert parse_book_ticker(book, time_ms=1).time_ms == book["E"]  # an event time wins when present


def test_hftbacktest_trade_and_book_ticker_lines_all_parse(shared_data: Path) -> None:
    seen = {"trade": 0, "bookTicker": 0}
    for message in _hftbacktest(shared_data, "spot_btcusdt_20240808.jsonl.gz", 3000):
        if "stream" not in message:
            continue  # the REST depth snapshot taken when the capture started
        stream, data = message["stream"], message["data"]
        if stream.endswith("@trade"):
            assert parse_trade(data).price > 0
            seen["trade"] += 1
        elif stream.endswith("@bookTicker"):
            top = parse_book_ticker(data)
            assert top.bid < top.ask
            seen["bookTicker"] += 1
    assert seen["trade"] > 100 and seen["bookTicker"] > 100


def test_depth_from_rest_snapshots_and_the_stream_shape(http_json: Path, recorded: Path) -> None:
    raw = _json(http_json / "http_spot_market_depth.json")
    book = parse_depth(raw, "BTCUSDT", time_ms=5)
    assert book.symbol == "BTCUSDT" and book.time_ms == 5 and book.last_update_id == raw["lastUpdateId"]
    assert book.bids[0] == (float(raw["bids"][0][0]), float(raw["bids"][0][1]))
    assert [p for p, _ in book.bids] == sorted((p for p, _ in book.bids), reverse=True)
    assert book.top is not None and book.top.bid < book.top.ask
    with lzma.open(recorded / "cryptofeed_raw" / "BINANCE.http.0.0.txt.xz", "rt") as lines:
        for line in filter(str.strip, lines):
            snapshot = json.loads(line.split(": ", 1)[1])
            parsed = parse_depth(snapshot, "X")
            assert len(parsed.bids) == len(snapshot["bids"]) and len(parsed.asks) == len(snapshot["asks"])
    partial = {"lastUpdateId": 160, "bids": raw["bids"][:20], "asks": raw["asks"][:20]}  # depth20 payload
    assert len(parse_depth(partial, "BTCUSDT").bids) == min(20, len(raw["bids"]))


def test_a_crossed_book_is_corrupt(http_json: Path) -> None:
    raw = _json(http_json / "http_spot_market_depth.json")
    crossed = dict(raw, bids=[[raw["asks"][0][0], "1.0"]])
    with pytest.raises(CorruptMarketData, match="crossed"):
        parse_depth(crossed, "BTCUSDT")
    top = {"u": 1, "s": "BTCUSDT", "b": "10.0", "B": "1", "a": "9.0", "A": "1"}
    with pytest.raises(CorruptMarketData, match="crossed"):
        parse_book_ticker(top)


def test_rest_klines_with_and_without_a_server_time(http_json: Path) -> None:
    rows = _json(http_json / "http_spot_market_klines.json")
    candles = parse_rest_klines(rows, "BTCUSDT")
    assert len(candles) == len(rows) and all(c.closed for c in candles)
    assert [c.open_time_ms for c in candles] == [r[0] for r in rows]
    assert all(c.close_time_ms == r[6] for c, r in zip(candles, rows, strict=True))
    assert candles[0].trades == rows[0][8] and candles[0].quote_volume == float(rows[0][7])
    server_time = rows[-1][6]  # the last bar is still open at its own close time
    flagged = parse_rest_klines(rows, "BTCUSDT", server_time_ms=server_time)
    assert [c.closed for c in flagged] == [True] * (len(rows) - 1) + [False]


@pytest.mark.parametrize(("field", "value", "reason"), [
    ("o", "NaN", "finite positive"), ("c", "0.00000000", "finite positive"), ("l", "-1", "finite positive"),
    ("v", "abc", "bad value"), ("x", "false", "boolean"), ("i", "7m", "interval"),
])
def test_corrupt_kline_values_name_what_is_wrong(recorded: Path, field: str, value: str,
                                                 reason: str) -> None:
    message = next(m for m in _cryptofeed_ws(recorded) if m["stream"].endswith("@kline_1m"))
    data = copy.deepcopy(message["data"])
    data["k"][field] = value
    with pytest.raises(CorruptMarketData, match=reason) as caught:
        parse_kline(data)
    assert str(caught.value).startswith("kline:")


def test_missing_fields_and_bad_shapes_are_corrupt(ws_json: Path) -> None:
    trade = _json(ws_json / "ws_spot_trade.json")["data"]
    with pytest.raises(CorruptMarketData, match="trade: missing field 'p'"):
        parse_trade({k: v for k, v in trade.items() if k != "p"})
    with pytest.raises(CorruptMarketData, match="aggTrade"):
        parse_agg_trade(None)  # type: ignore[arg-type]
    with pytest.raises(CorruptMarketData, match="depth"):
        parse_depth({"lastUpdateId": 1, "bids": [["1.0"]], "asks": []}, "X")
    with pytest.raises(CorruptMarketData, match="REST klines"):
        parse_rest_klines({"code": -1121}, "X")  # type: ignore[arg-type]


def test_interval_table() -> None:
    assert interval_ms("1m") == 60_000 and interval_ms("1h") == 3_600_000
    with pytest.raises(CorruptMarketData):
        interval_ms("2m")
