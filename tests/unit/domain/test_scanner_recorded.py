"""The scanner on real recorded Binance data, checked against independent pandas computations."""

from __future__ import annotations

import gzip
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from domain.market_events import TickersUpdated
from domain.rolling_ticker import RollingTickers
from domain.scanner import MultiPairScanner
from domain.scanner_rules import AlertType, ScannerAlert, ScannerRules
from domain.ticker_table import TickerTable
from domain.values import BookTop, Candle, Ticker

KLINES = "freqtrade_userdata/binance_spot_1m_2026-03-23_2026-04-22_5pairs.csv.xz"
WS_CAPTURE = "hftbacktest_ws/spot_btcusdt_20240809.jsonl.gz"
RULES = ScannerRules(min_volume_24h=1e8, max_spread_pct=0.15, volume_spike_ratio=3.0,
                     momentum_threshold_pct=0.15, breakout_distance_pct=0.5, reversal_drop_pct=0.5)
DAY = 86_400_000


@pytest.fixture(scope="module")
def klines(shared_data: Path) -> pd.DataFrame:
    frame: pd.DataFrame = pd.read_csv(shared_data / KLINES)
    frame = frame[frame["open_time"] < frame["open_time"].min() + 2 * DAY]  # two days, five pairs
    assert (frame.groupby("symbol")["open_time"].diff().dropna() == 60_000).all()
    return frame.sort_values(["open_time", "symbol"]).reset_index(drop=True)


def replay(klines: pd.DataFrame, *, one_by_one: bool = False,
           scanner: MultiPairScanner | None = None) -> list[ScannerAlert]:
    """As a backtest would: each minute, the closed candles, then the `!miniTicker@arr` they imply, as
    one TickerTable (or, `one_by_one`, each Ticker object on its own)."""
    alerts: list[ScannerAlert] = []
    scanner = scanner or MultiPairScanner(RULES)
    scanner.on_alert = alerts.append
    scanner.set_symbols(sorted(klines["symbol"].unique()))
    rolling = RollingTickers()
    tickers: list[Ticker] = []

    def deliver() -> None:
        if one_by_one:
            for ticker in tickers:
                scanner.on_ticker(ticker)
        else:
            scanner.on_tickers(TickersUpdated(TickerTable.from_tickers(tickers), tickers[-1].event_time_ms))

    for r in klines.to_dict("records"):  # sorted by minute
        if tickers and tickers[-1].event_time_ms != int(r["open_time"]) + 59_999:
            deliver()
            tickers = []
        candle = Candle(str(r["symbol"]), int(r["open_time"]), float(r["open"]), float(r["high"]),
                        float(r["low"]), float(r["close"]), float(r["volume"]))
        scanner.on_candle(candle)
        tickers.append(rolling.push(candle))
    deliver()
    return alerts


def expected_alerts(klines: pd.DataFrame) -> set[tuple[str, AlertType, int]]:
    """Where each alert must fire, from the spec rules applied to the bars with pandas."""
    found: set[tuple[str, AlertType, int]] = set()
    for symbol, bars in klines.groupby("symbol"):
        close = bars["close"].reset_index(drop=True)
        change_1m = ((close - close.shift(1)) / close.shift(1) * 100).fillna(0.0)
        change_5m = ((close - close.shift(5)) / close.shift(5) * 100).fillna(0.0)
        quote = (bars["volume"] * bars["close"]).reset_index(drop=True)
        volume_24h = quote.rolling(1440, min_periods=1).sum()
        high_24h = bars["high"].reset_index(drop=True).rolling(1440, min_periods=1).max()
        distance = (high_24h - close) / high_24h * 100
        ratio = quote * 1440 / volume_24h
        liquid = volume_24h >= RULES.min_volume_24h
        rules = {
            AlertType.MOMENTUM: (change_1m > 0.15) & (change_1m > change_5m / 5 * 1.5),
            AlertType.VOLUME_SPIKE: ratio > 3.0,
            AlertType.BREAKOUT: distance < 0.5,
            AlertType.REVERSAL: (change_5m <= -0.5) & (change_1m > 0) & (ratio > 1),
        }
        times = (bars["open_time"] + 59_999).reset_index(drop=True)
        for alert_type, fires in rules.items():
            found |= {(str(symbol), alert_type, int(t)) for t in times[fires & liquid]}
    return found


def test_alerts_fire_exactly_where_the_rules_say_on_two_days_of_five_pairs(klines: pd.DataFrame) -> None:
    alerts = replay(klines)
    got = {(a.symbol, a.alert_type, a.time_ms) for a in alerts}
    want = expected_alerts(klines)
    assert len(got) == len(alerts), "one alert per (symbol, type, minute)"
    for alert_type in AlertType:
        mine = {g for g in got if g[1] is alert_type}
        theirs = {w for w in want if w[1] is alert_type}
        assert theirs, f"the slice should contain {alert_type.value} situations"
        assert mine == theirs, (f"{alert_type.value}: missing {sorted(theirs - mine)[:5]}, "
                                f"extra {sorted(mine - theirs)[:5]}")
    assert {a.symbol for a in alerts} == set(klines["symbol"])
    assert all(0.5 <= a.score <= 1.0 for a in alerts)


def test_a_table_a_minute_and_the_same_tickers_one_by_one_agree_on_real_bars(klines: pd.DataFrame) -> None:
    """The columnar path (one TickerTable a minute, fancy indexing) and the object path (each Ticker
    alone) give the same alerts and the same final state of every pair."""
    half_day = klines[klines["open_time"] < klines["open_time"].min() + DAY // 2]
    tables, objects = MultiPairScanner(RULES), MultiPairScanner(RULES)
    by_table = replay(half_day, scanner=tables)
    by_object = replay(half_day, one_by_one=True, scanner=objects)
    assert len({a.alert_type for a in by_table}) >= 2
    assert repr(by_table) == repr(by_object)
    for symbol in tables.symbols:
        assert repr(tables.state(symbol)) == repr(objects.state(symbol))  # repr: NaN != NaN
    assert tables.quick_scores().tolist() == objects.quick_scores().tolist()


def ws_messages(path: Path) -> list[tuple[str, dict[str, object]]]:
    out = []
    with gzip.open(path, "rt") as lines:
        for line in lines:
            if "@trade" in line or "@bookTicker" in line:
                message = json.loads(line.split(" ", 1)[1])
                out.append((message["stream"], message["data"]))
    return out


def test_second_by_second_history_and_book_on_a_real_capture(shared_data: Path) -> None:
    """Per-second tickers built from 5 minutes of real BTCUSDT trades and the real bookTicker stream:
    the scanner's 1 min-ago price, last-minute volume and spread agree with pandas over the raw data."""
    base_24h = 1.44e9  # the 24 h quote volume before the capture (not in it); trades then add to it
    scanner = MultiPairScanner(ScannerRules(min_volume_24h=0.0))
    scanner.set_symbols(["BTCUSDT"])
    trades: list[tuple[int, float, float]] = []  # (time ms, price, quote qty)
    books: list[tuple[float, float]] = []
    observed: list[tuple[int, float, float, float, float]] = []
    second, traded = -1, 0.0

    def emit(sec: int) -> None:
        ticker = Ticker("BTCUSDT", sec * 1000 + 999, trades[-1][1], trades[0][1], 1e6, 1.0, 1.0,
                        base_24h + traded)
        scanner.on_ticker(ticker)
        state = scanner.state("BTCUSDT")
        assert state is not None
        ask_over_bid = books[-1][1] / books[-1][0]
        observed.append((sec, state.price_1m_ago, state.volume_1m, state.spread_pct, ask_over_bid))

    for stream, data in ws_messages(shared_data / WS_CAPTURE):
        if stream.endswith("@bookTicker"):
            top = BookTop("BTCUSDT", float(data["b"]), float(data["B"]), float(data["a"]), float(data["A"]))  # type: ignore[arg-type]
            scanner.on_book_top(top)
            books.append((top.bid, top.ask))
            continue
        t = int(data["T"])  # type: ignore[call-overload]
        if second >= 0 and t // 1000 > second and books:
            emit(second)
        second = t // 1000
        price, qty = float(data["p"]), float(data["q"])  # type: ignore[arg-type]
        trades.append((t, price, price * qty))
        traded += price * qty
    assert len(observed) > 250

    tape = pd.DataFrame(trades, columns=["time", "price", "quote"])
    tape["second"] = tape["time"] // 1000
    per_second = tape.groupby("second").agg(price=("price", "last"), quote=("quote", "sum"))
    per_second["q24"] = base_24h + per_second["quote"].cumsum()
    emitted = per_second.loc[[o[0] for o in observed]]
    first = emitted.index[0]
    checked = 0
    for sec, price_1m_ago, volume_1m, spread, ratio in observed:
        assert spread == pytest.approx((ratio - 1) * 100)
        if sec - 60 < first:
            assert math.isnan(price_1m_ago)
            continue
        before = emitted[emitted.index <= sec - 60]
        assert price_1m_ago == before["price"].iloc[-1]
        window = emitted[(emitted.index > sec - 60) & (emitted.index <= sec)]
        q_prev = emitted["q24"].shift(1).loc[window.index]
        gaps = pd.Series(window.index, index=window.index).diff().fillna(window.index[0] - before.index[-1])
        expected = (window["q24"] - q_prev).sum() + (q_prev * gaps * 1000 / DAY).sum()
        assert volume_1m == pytest.approx(expected, rel=1e-9)
        checked += 1
    assert checked > 150
    assert np.isfinite([o[2] for o in observed[-100:]]).all()
