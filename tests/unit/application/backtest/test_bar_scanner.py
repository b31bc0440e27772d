"""The backtest's scanner (bar_scores, every bar at once) against the live MultiPairScanner replaying the
same real bars minute by minute: the same quick scores and the same alert bars, so a backtest ranks and
alerts as the bot would live."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
from tests.unit.domain.test_scanner_recorded import RULES, klines  # noqa: F401  (the fixture)

from application.backtest.bar_scanner import bar_scores
from domain.features import KlineArrays
from domain.market_events import TickersUpdated
from domain.rolling_ticker import RollingTickers
from domain.scanner import MultiPairScanner
from domain.scanner_rules import ScannerRules, alert_masks, eligible
from domain.ticker_table import TickerTable
from domain.values import Candle, Ticker


def live_replay(bars: pd.DataFrame, rules: ScannerRules) -> tuple[dict[tuple[str, int], float],
                                                                  dict[tuple[str, int], bool]]:
    """Each minute: the closed candles, then the tickers they imply; then every pair's quick score and
    whether an alert rule holds for it (cooldowns aside: bar_scores has none)."""
    scanner = MultiPairScanner(rules)
    symbols = sorted(bars["symbol"].unique())
    scanner.set_symbols(symbols)
    rolling = RollingTickers()
    scores: dict[tuple[str, int], float] = {}
    alerts: dict[tuple[str, int], bool] = {}
    for open_time, minute in bars.groupby("open_time", sort=True):
        tickers: list[Ticker] = []
        for r in minute.to_dict("records"):
            candle = Candle(str(r["symbol"]), int(open_time), float(r["open"]), float(r["high"]),
                            float(r["low"]), float(r["close"]), float(r["volume"]))
            scanner.on_candle(candle)
            tickers.append(rolling.push(candle))
        scanner.on_tickers(TickersUpdated(TickerTable.from_tickers(tickers), tickers[-1].event_time_ms))
        for symbol, score in zip(scanner.symbols, scanner.quick_scores().tolist(), strict=True):
            state = scanner.state(symbol)
            assert state is not None
            ok = bool(eligible(state.price, state.volume_24h, state.spread_pct, rules))
            scores[(symbol, int(open_time))] = score
            alerts[(symbol, int(open_time))] = ok and bool(alert_masks(rules, state.metrics).any())
    return scores, alerts


def test_the_backtest_scanner_scores_and_alerts_as_the_live_one_on_real_bars(
        klines: pd.DataFrame) -> None:  # noqa: F811
    bars = klines[klines["open_time"] < klines["open_time"].min() + 30 * 3_600_000]  # the 24 h window rolls
    rules = replace(RULES, min_volume_24h=2e7)  # some pairs of the five pass the volume filter, some not
    live_scores, live_alerts = live_replay(bars, rules)
    compared = alerted = 0
    for symbol, rows in bars.groupby("symbol"):
        k = KlineArrays(rows["open_time"].to_numpy(np.int64), *(rows[c].to_numpy(np.float64) for c in
                                                                ("open", "high", "low", "close", "volume")))
        found = bar_scores(k, rules)
        for i, open_time in enumerate(k.open_time_ms.tolist()):
            key = (str(symbol), open_time)
            assert abs(found.quick_score[i] - live_scores[key]) < 1e-9, key
            assert bool(found.alert[i]) == live_alerts[key], key
            compared += 1
            alerted += bool(found.alert[i])
    assert compared == len(bars)
    assert 0 < alerted < compared / 2  # the slice alerts, and not everywhere
    assert 0 < sum(score > 0 for score in live_scores.values()) < compared  # the volume filter bites
