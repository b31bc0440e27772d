from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from domain.market_events import TickersUpdated
from domain.scanner import MultiPairScanner
from domain.scanner_rules import AlertType, ScannerAlert, ScannerRules
from domain.ticker_table import TickerTable
from domain.values import BookTop, Candle, Ticker

T0 = 1_700_000_000_000  # ms, a whole minute
DAY_VOLUME = 14_400_000.0  # 10 k USDT per average minute
QUIET = ScannerRules(min_volume_24h=0.0, breakout_distance_pct=0.0)  # breakout off unless asked


def tick(symbol: str, second: int, price: float, *, quote: float = DAY_VOLUME, high: float = 1000.0,
         low: float = 1.0) -> Ticker:
    return Ticker(symbol, T0 + second * 1000, price, price, max(high, price), min(low, price), 1.0, quote)


def scanner(rules: ScannerRules = QUIET, symbols: tuple[str, ...] = ("AUSDT", "BUSDT"),
            **kw: Any) -> tuple[MultiPairScanner, list[ScannerAlert]]:
    alerts: list[ScannerAlert] = []
    s = MultiPairScanner(rules, alerts.append, **kw)
    s.set_symbols(symbols)
    return s, alerts


def test_price_one_and_five_minutes_ago_from_sparse_updates() -> None:
    s, _ = scanner()
    updates = {0: 100.0, 7: 101.0, 95: 102.0, 170: 103.0, 290: 104.0, 301: 105.0, 360: 106.0}
    for second, price in updates.items():
        s.on_ticker(tick("AUSDT", second, price))

    def last_at_or_before(second: int) -> float:
        return next(updates[k] for k in sorted(updates, reverse=True) if k <= second)

    state = s.state("AUSDT")
    assert state is not None
    assert state.price == 106.0
    assert state.price_1m_ago == last_at_or_before(300)
    assert state.price_5m_ago == last_at_or_before(60)
    assert state.change_1m_pct == pytest.approx((106 - 104) / 104 * 100)


def test_history_shorter_than_the_lookback_is_unknown() -> None:
    s, _ = scanner()
    s.on_ticker(tick("AUSDT", 0, 100.0))
    s.on_ticker(tick("AUSDT", 30, 150.0))
    state = s.state("AUSDT")
    assert state is not None and math.isnan(state.price_1m_ago) and state.change_1m_pct == 0.0
    assert math.isnan(state.volume_1m)


def test_steady_day_volume_reads_as_an_average_minute() -> None:
    s, _ = scanner()
    for second in range(0, 400, 2):
        s.on_ticker(tick("AUSDT", second, 100.0))
    state = s.state("AUSDT")
    assert state is not None
    assert state.volume_1m == pytest.approx(DAY_VOLUME / 1440)  # the window's in-flow = its assumed out-flow


def test_a_burst_counts_for_one_minute_then_leaves() -> None:
    s, alerts = scanner()
    for second in range(0, 160):
        s.on_ticker(tick("AUSDT", second, 100.0, quote=DAY_VOLUME + (50_000.0 if second >= 130 else 0.0)))
    during = s.state("AUSDT")
    assert during is not None and during.volume_1m == pytest.approx(50_000 + DAY_VOLUME / 1440, rel=1e-3)
    assert [a.alert_type for a in alerts] == [AlertType.VOLUME_SPIKE]
    assert alerts[0].time_ms == T0 + 130_000
    assert alerts[0].details["volume_ratio"] == pytest.approx(during.volume_ratio, rel=0.01)
    for second in range(160, 260):
        s.on_ticker(tick("AUSDT", second, 100.0, quote=DAY_VOLUME + 50_000.0))
    after = s.state("AUSDT")
    assert after is not None and after.volume_1m == pytest.approx((DAY_VOLUME + 50_000) / 1440, rel=1e-3)


def test_same_alert_waits_for_the_cooldown() -> None:
    s, alerts = scanner(ScannerRules(min_volume_24h=0.0, breakout_distance_pct=1.0, alert_cooldown_ms=60_000))
    for second in range(0, 150):
        s.on_ticker(tick("AUSDT", second, 100.0, high=100.2))  # always within 1% of the high
    assert [a.time_ms - T0 for a in alerts] == [0, 60_000, 120_000]
    assert {a.alert_type for a in alerts} == {AlertType.BREAKOUT}


def test_alerts_are_checked_on_updated_rows_only() -> None:
    s, alerts = scanner(ScannerRules(min_volume_24h=0.0, breakout_distance_pct=1.0, alert_cooldown_ms=1000))
    s.on_tickers(TickersUpdated((tick("AUSDT", 0, 100.0, high=100.1), tick("BUSDT", 0, 50.0, high=50.1)), T0))
    s.on_tickers(TickersUpdated((tick("AUSDT", 5, 100.0, high=100.1),), T0 + 5000))
    assert [(a.symbol, a.time_ms - T0) for a in alerts] == [("AUSDT", 0), ("BUSDT", 0), ("AUSDT", 5000)]


def test_momentum_alert_after_a_one_minute_rise() -> None:
    s, alerts = scanner()
    for second in range(0, 121):
        s.on_ticker(tick("AUSDT", second, 100.0 if second < 120 else 100.2))
    assert [(a.alert_type, a.time_ms - T0) for a in alerts] == [(AlertType.MOMENTUM, 120_000)]
    assert alerts[0].details["change_1m_pct"] == pytest.approx(0.2)
    assert alerts[0].score == pytest.approx(0.2 / 0.15 / 2)


def test_filters_block_alerts() -> None:
    thin, alerts = scanner(ScannerRules(min_volume_24h=DAY_VOLUME * 2, breakout_distance_pct=5.0))
    thin.on_ticker(tick("AUSDT", 0, 100.0, high=100.0))
    assert alerts == []
    wide, alerts = scanner(ScannerRules(min_volume_24h=0.0, breakout_distance_pct=5.0, max_spread_pct=0.1))
    wide.on_book_top(BookTop("AUSDT", 99.8, 1.0, 100.0, 1.0))
    wide.on_ticker(tick("AUSDT", 0, 100.0, high=100.0))
    assert alerts == []
    wide.forget_book("AUSDT")  # spread unknown again: no longer blocks
    wide.on_ticker(tick("AUSDT", 1, 100.0, high=100.0))
    assert [a.alert_type for a in alerts] == [AlertType.BREAKOUT]


def test_universe_refresh_keeps_kept_rows_and_clears_reused_ones() -> None:
    s, _ = scanner(capacity=2)
    for second in range(0, 70):
        s.on_ticker(tick("AUSDT", second, 100.0 + second))
        s.on_ticker(tick("BUSDT", second, 50.0))
    assert s.set_symbols(["AUSDT", "CUSDT"]) == (["CUSDT"], ["BUSDT"])
    kept, new = s.state("AUSDT"), s.state("CUSDT")
    assert kept is not None and kept.price_1m_ago == 109.0 and new is None
    s.on_ticker(tick("CUSDT", 70, 7.0))
    fresh = s.state("CUSDT")
    assert fresh is not None and math.isnan(fresh.price_1m_ago)  # nothing left from BUSDT's row
    assert s.state("BUSDT") is None and s.symbols == ("AUSDT", "CUSDT")
    with pytest.raises(ValueError, match="capacity"):
        s.set_symbols(["AUSDT", "CUSDT", "DUSDT"])


def test_unknown_symbols_and_stale_tickers_are_ignored() -> None:
    s, _ = scanner()
    assert s.on_ticker(tick("ZUSDT", 0, 1.0)) == 0
    s.on_ticker(tick("AUSDT", 10, 100.0))
    assert s.on_ticker(tick("AUSDT", 5, 90.0)) == 0
    state = s.state("AUSDT")
    assert state is not None and state.price == 100.0


def test_a_frame_table_and_the_same_tickers_one_by_one_give_the_same_scanner() -> None:
    """Whole frames (one TickerTable, fancy indexing) and the same tickers fed one at a time agree."""
    rng = np.random.default_rng(3)
    rules = ScannerRules(min_volume_24h=0.0, breakout_distance_pct=0.3, alert_cooldown_ms=10_000)
    frames, alerts_a = scanner(rules)
    singles, alerts_b = scanner(rules)
    prices = {"AUSDT": 100.0, "BUSDT": 20.0}
    quote = DAY_VOLUME
    for second in range(400):
        frame = []
        for symbol in prices:
            prices[symbol] = round(prices[symbol] * math.exp(rng.normal(0, 0.002)), 6)
            quote += float(rng.uniform(0, 20_000))
            high = round(prices[symbol] * 1.002, 6) if symbol == "AUSDT" else 120.0
            frame.append(tick(symbol, second, prices[symbol], quote=round(quote, 4), high=high, low=10.0))
        assert frames.on_tickers(TickersUpdated(TickerTable.from_tickers(frame), T0 + second * 1000)) == 2
        for ticker in frame:
            singles.on_ticker(ticker)
    assert alerts_a and repr(alerts_a) == repr(alerts_b)
    for symbol in prices:
        assert repr(frames.state(symbol)) == repr(singles.state(symbol))  # repr: NaN != NaN
    assert len({a.alert_type for a in alerts_a}) >= 3


def test_a_frame_skips_symbols_outside_the_universe_and_tickers_older_than_the_row() -> None:
    s, _ = scanner()
    assert s.on_tickers(TickersUpdated((tick("XUSDT", 0, 5.0),), T0)) == 0
    assert s.on_tickers(TickersUpdated(TickerTable.empty(), T0)) == 0
    frame = (tick("AUSDT", 2, 100.0), tick("XUSDT", 2, 5.0), tick("BUSDT", 2, 50.0))
    assert s.on_tickers(TickersUpdated(frame, T0 + 2000)) == 2
    late = (tick("AUSDT", 1, 90.0), tick("BUSDT", 3, 51.0))  # AUSDT's is older than the one it has
    assert s.on_tickers(TickersUpdated(late, T0 + 3000)) == 1
    a, b = s.state("AUSDT"), s.state("BUSDT")
    assert a is not None and b is not None and (a.price, b.price) == (100.0, 51.0)
    assert s.state("XUSDT") is None


def test_top_opportunities_are_ranked_by_quick_score() -> None:
    symbols = tuple(f"S{i}USDT" for i in range(6))
    rules = ScannerRules(min_volume_24h=1.0)
    s, _ = scanner(rules, symbols)
    for second in (0, 60):
        for i, symbol in enumerate(symbols):
            # S0 flat far from its high (score 0), then ever closer to the high and rising faster
            price = 100.0 * (1 + 0.0004 * i) if second else 100.0
            s.on_ticker(tick(symbol, second, price, high=100.0 * (1 + 0.02 / (i + 1)) if i else 200.0))
    top = s.get_top_opportunities(3)
    assert [p.symbol for p in top] == ["S5USDT", "S4USDT", "S3USDT"]
    everything = s.get_top_opportunities(100)
    assert "S0USDT" not in [p.symbol for p in everything] and len(everything) == 5
    scores = dict(zip(s.symbols, s.quick_scores(), strict=True))
    assert all(p.quick_score(rules) == pytest.approx(scores[p.symbol]) for p in everything)
    assert scores["S0USDT"] == 0.0
    assert s.get_top_opportunities(0) == []


def test_closed_candle_gives_the_exact_minute_volume() -> None:
    s, _ = scanner()
    s.on_ticker(tick("AUSDT", 0, 100.0))
    s.on_candle(Candle("AUSDT", T0, 100.0, 101.0, 99.0, 100.5, 300.0, 30_000.0))
    s.on_ticker(tick("AUSDT", 59, 100.5))
    state = s.state("AUSDT")
    assert state is not None and state.volume_1m == 30_000.0 and state.volume_ratio == pytest.approx(3.0)
    s.on_candle(Candle("AUSDT", T0 + 60_000, 1.0, 1.0, 1.0, 1.0, 1.0, closed=False))
    s.on_candle(Candle("AUSDT", T0 + 60_000, 100.0, 101.0, 99.0, 100.0, 10.0))  # no quote column: v x close
    assert s.state("AUSDT").volume_1m == 1000.0  # type: ignore[union-attr]


def test_history_must_cover_five_minutes() -> None:
    with pytest.raises(ValueError, match="history_minutes"):
        MultiPairScanner(QUIET, history_minutes=4)


def test_a_candle_closing_after_later_tickers_still_gives_its_volume() -> None:
    s, _ = scanner()
    s.on_ticker(tick("AUSDT", 0, 100.0))
    s.on_ticker(tick("AUSDT", 61, 101.0))  # live: the 1m kline's close arrives a second or two late
    s.on_candle(Candle("AUSDT", T0, 100.0, 101.0, 99.0, 100.5, 300.0, 42_000.0))
    state = s.state("AUSDT")
    assert state is not None and state.price == 101.0 and state.volume_1m == 42_000.0
