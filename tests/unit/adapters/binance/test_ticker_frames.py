"""`!miniTicker@arr` frames through the FrameRouter: the live path from frame bytes to a TickerTable.

Frames are rendered from real recorded 1m bars (../shared/data, freqtrade) turned into the rolling
24 h tickers Binance would have sent, in Binance's compact JSON with 8-decimal strings.
"""

from __future__ import annotations

import csv
import json
import lzma
from itertools import islice
from pathlib import Path
from typing import Any

import pytest
from tests.support.clocks import ManualClock

from adapters.binance.feed_stats import FeedCounters, ThrottledWarnings
from adapters.binance.frame_router import FrameRouter
from adapters.binance.parse import parse_mini_ticker
from adapters.binance.recent_bars import RecentBars
from adapters.kernels.scanner_numba import NumbaTickerKernel
from domain.market_events import TickersUpdated
from domain.rolling_ticker import RollingTickers
from domain.scanner import MultiPairScanner
from domain.scanner_rules import ScannerAlert, ScannerRules
from domain.ticker_table import TickerTable
from domain.values import Candle, Ticker

SYMBOLS = ("BNBUSDT", "BTCUSDT", "ETHUSDT")
MINUTES = 300


def router(universe: frozenset[str] | None = None) -> tuple[FrameRouter, FeedCounters]:
    clock, counters = ManualClock(1_000_000), FeedCounters()
    return FrameRouter(clock, universe=universe, stale_after_ms=60_000, counters=counters, bars=RecentBars(),
                       warnings=ThrottledWarnings(clock)), counters


def item(t: Ticker) -> dict[str, Any]:
    return {"e": "24hrMiniTicker", "E": t.event_time_ms, "s": t.symbol, "c": f"{t.close:.8f}",
            "o": f"{t.open:.8f}", "h": f"{t.high:.8f}", "l": f"{t.low:.8f}", "v": f"{t.volume:.8f}",
            "q": f"{t.quote_volume:.8f}"}


def frame(items: list[dict[str, Any]]) -> bytes:
    return json.dumps({"stream": "!miniTicker@arr", "data": items}, separators=(",", ":")).encode()


@pytest.fixture(scope="module")
def recorded_frames(sample_klines: Path) -> list[bytes]:
    """MINUTES frames of SYMBOLS' rolling tickers (the file is sorted by symbol, then time)."""
    bars: dict[str, list[Candle]] = {s: [] for s in SYMBOLS}
    with lzma.open(sample_klines, "rt") as lines:
        for row in csv.DictReader(lines):
            if row["symbol"] in bars and len(bars[row["symbol"]]) < MINUTES:
                bars[row["symbol"]].append(Candle(row["symbol"], int(row["open_time"]), float(row["open"]),
                                                  float(row["high"]), float(row["low"]), float(row["close"]),
                                                  float(row["volume"])))
            if all(len(b) == MINUTES for b in bars.values()):
                break
    rolling = RollingTickers()
    return [frame([item(rolling.push(bars[s][m])) for s in SYMBOLS]) for m in range(MINUTES)]


def test_the_live_path_drives_the_scanner_exactly_as_ticker_objects_do(recorded_frames: list[bytes]) -> None:
    """Frame bytes -> FrameRouter (msgspec, TickerTable) against the object path it replaced (json.loads,
    one Ticker per item): the same values to the bit (the open and the base volume are not decoded), the
    same alerts, the same final state; and the scanner with the compiled kernel on the live path alike."""
    rules = ScannerRules(min_volume_24h=0.0, momentum_threshold_pct=0.05, breakout_distance_pct=0.3,
                         reversal_drop_pct=0.2)
    feed, counters = router(frozenset(SYMBOLS[:2]) | {"XRPUSDT"})
    live_alerts: list[ScannerAlert] = []
    object_alerts: list[ScannerAlert] = []
    fused_alerts: list[ScannerAlert] = []
    live, objects = MultiPairScanner(rules, live_alerts.append), MultiPairScanner(rules, object_alerts.append)
    fused = MultiPairScanner(rules, fused_alerts.append, kernel=NumbaTickerKernel())
    for scanner in (live, objects, fused):
        scanner.set_symbols(SYMBOLS)
    for raw in recorded_frames:
        feed.handle_text(raw)
        event = feed.pending.popleft()
        assert isinstance(event, TickersUpdated) and not feed.pending
        tickers = tuple(parse_mini_ticker(d) for d in json.loads(raw)["data"] if d["s"] in SYMBOLS[:2])
        full = TickerTable.from_tickers(tickers)
        assert event.tickers == TickerTable(full.symbols, full.event_time_ms, full.close, None, full.high,
                                            full.low, None, full.quote_volume)
        assert event.time_ms == max(t.event_time_ms for t in tickers)
        live.on_tickers(event)
        fused.on_tickers(event)
        objects.on_tickers(TickersUpdated(tickers, event.time_ms))
    assert live_alerts and repr(live_alerts) == repr(object_alerts) == repr(fused_alerts)
    assert {a.symbol for a in live_alerts} <= set(SYMBOLS[:2])
    for symbol in SYMBOLS:
        assert repr(live.state(symbol)) == repr(objects.state(symbol)) == repr(fused.state(symbol))
    assert counters.frames == counters.events == len(recorded_frames) and not counters.malformed


def test_corrupt_items_cost_only_themselves_on_both_decoding_paths(recorded_frames: list[bytes]) -> None:
    feed, counters = router()
    items = json.loads(recorded_frames[0])["data"]
    nan_price = items[0] | {"c": "NaN"}  # typed decoding reads it, the table drops it
    feed.handle_text(frame([nan_price, *items[1:]]))
    missing = {k: v for k, v in items[1].items() if k != "h"}  # typed decoding refuses: the careful path
    later = [d | {"E": d["E"] + 60_000} for d in items]
    feed.handle_text(frame([later[0], missing, later[2]]).decode())  # text frames too
    first, second = feed.pending
    assert isinstance(first, TickersUpdated) and isinstance(second, TickersUpdated)
    assert first.tickers.symbols == tuple(SYMBOLS[1:]) and first.tickers.rejected == 1
    assert second.tickers.symbols == (SYMBOLS[0], SYMBOLS[2]) and second.tickers.rejected == 1
    assert counters.malformed == {"corrupt values": 2}


def test_a_repeated_or_empty_ticker_frame_emits_nothing(recorded_frames: list[bytes]) -> None:
    feed, counters = router(frozenset({"NOTTRADED"}))
    for raw in islice(recorded_frames, 2):
        feed.handle_text(raw)  # nothing of the universe in it
    feed.universe = None
    feed.handle_text(recorded_frames[2])
    feed.handle_text(recorded_frames[2])
    feed.handle_text(frame([]))
    assert len(feed.pending) == 1 and counters.duplicates == 1 and not counters.malformed
