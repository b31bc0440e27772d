"""The compiled scanner kernel against the numpy reference: the same alerts and the same state, to the bit.

Recorded data: two days of five pairs' real 1m bars (../shared/data), replayed as a backtest does
(closed candles, then the `!miniTicker@arr` they imply), and real bars rendered as Binance frames through
the FrameRouter. Made-up frames cover what the recorded ones lack: symbols outside the universe, stale
tickers, books (spread), gaps longer than the history, a universe change, the cooldown.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from adapters.kernels.scanner_numba import NumbaTickerKernel, _update
from domain.market_events import TickersUpdated
from domain.rolling_ticker import RollingTickers
from domain.scanner import MultiPairScanner
from domain.scanner_kernel import TickerKernel
from domain.scanner_rules import ScannerAlert, ScannerRules
from domain.ticker_table import TickerTable
from domain.values import BookTop, Candle, Ticker

KLINES = "freqtrade_userdata/binance_spot_1m_2026-03-23_2026-04-22_5pairs.csv.xz"
RULES = ScannerRules(min_volume_24h=1e8, max_spread_pct=0.15, volume_spike_ratio=3.0,
                     momentum_threshold_pct=0.15, breakout_distance_pct=0.5, reversal_drop_pct=0.5)
DAY = 86_400_000


class PythonKernel:
    """The kernel's source run as plain Python: its logic checked without the compiler."""

    def update(self, *args: object) -> tuple[int, int, int]:
        return _update(*args)  # type: ignore[arg-type]


def pair(rules: ScannerRules, kernel: TickerKernel) -> tuple[MultiPairScanner, MultiPairScanner,
                                                             list[ScannerAlert], list[ScannerAlert]]:
    mine: list[ScannerAlert] = []
    reference: list[ScannerAlert] = []
    return (MultiPairScanner(rules, reference.append), MultiPairScanner(rules, mine.append, kernel=kernel),
            reference, mine)


def assert_same(reference: MultiPairScanner, fused: MultiPairScanner, ref_alerts: list[ScannerAlert],
                fused_alerts: list[ScannerAlert]) -> None:
    assert repr(fused_alerts) == repr(ref_alerts)  # repr: NaN details compare equal, key order counts
    assert np.array_equal(fused.floats, reference.floats, equal_nan=True)
    assert np.array_equal(fused.ints, reference.ints)
    assert np.array_equal(fused.history.block, reference.history.block, equal_nan=True)
    assert fused.history.second == reference.history.second
    assert fused.quick_scores().tolist() == reference.quick_scores().tolist()


@pytest.fixture(scope="module")
def klines(shared_data: Path) -> pd.DataFrame:
    frame: pd.DataFrame = pd.read_csv(shared_data / KLINES)
    frame = frame[frame["open_time"] < frame["open_time"].min() + 2 * DAY]
    return frame.sort_values(["open_time", "symbol"]).reset_index(drop=True)


def test_two_days_of_five_pairs_give_the_same_alerts_and_state(klines: pd.DataFrame) -> None:
    reference, fused, ref_alerts, fused_alerts = pair(RULES, NumbaTickerKernel())
    symbols = sorted(klines["symbol"].unique())
    for scanner in (reference, fused):
        scanner.set_symbols(symbols)
    rolling = RollingTickers()
    tickers: list[Ticker] = []

    def deliver() -> None:
        table = TickerTable.from_tickers(tickers)
        for scanner in (reference, fused):
            scanner.on_tickers(TickersUpdated(table, tickers[-1].event_time_ms))

    for r in klines.to_dict("records"):
        if tickers and tickers[-1].event_time_ms != int(r["open_time"]) + 59_999:
            deliver()
            tickers = []
        candle = Candle(str(r["symbol"]), int(r["open_time"]), float(r["open"]), float(r["high"]),
                        float(r["low"]), float(r["close"]), float(r["volume"]))
        for scanner in (reference, fused):
            scanner.on_candle(candle)
        tickers.append(rolling.push(candle))
    deliver()
    assert len({a.alert_type for a in ref_alerts}) == 4, "the slice should fire every alert type"
    assert_same(reference, fused, ref_alerts, fused_alerts)


def ticker(symbol: str, time_ms: int, close: float, quote: float, high: float | None = None) -> Ticker:
    return Ticker(symbol, time_ms, close, close, high or close * 1.002, close * 0.9, quote / close, quote)


@pytest.mark.parametrize("kernel", [NumbaTickerKernel(), PythonKernel()], ids=["numba", "python"])
def test_made_up_frames_cover_the_edges(kernel: TickerKernel) -> None:
    rules = ScannerRules(min_volume_24h=1e6, momentum_threshold_pct=0.1, breakout_distance_pct=0.3,
                         reversal_drop_pct=0.3, alert_cooldown_ms=5_000)
    reference, fused, ref_alerts, fused_alerts = pair(rules, kernel)
    rng = np.random.default_rng(3)
    symbols = [f"S{i}USDT" for i in range(12)]
    price = rng.uniform(1, 100, 14)
    quote = rng.uniform(5e5, 5e8, 14)
    t0 = 1_000  # small times: the history's columns wrap below zero seconds
    for scanner in (reference, fused):
        scanner.set_symbols(symbols[:10])
    names = [*symbols, "OUTSIDE1", "OUTSIDE2"]
    for k in range(900):
        t = t0 + k * 1_000 + (400_000 if k > 600 else 0)  # a gap longer than the 5 min history
        price *= np.exp(rng.normal(0, 0.002, price.size))
        price[k % 14] *= 1.01 if k % 3 else 0.985
        quote *= 1 + rng.uniform(-1e-4, 3e-3, price.size)
        chosen = np.flatnonzero(rng.random(14) < 0.8)
        frame = [ticker(names[i], t - (5_000 if i == 3 and k % 7 == 0 else 0), float(price[i]),
                        float(quote[i]), float(price[i]) * (1.001 if k % 5 else 1.02)) for i in chosen]
        for scanner in (reference, fused):
            if k % 11 == 0:
                scanner.on_book_top(BookTop(names[k % 10], price[k % 10] * 0.999, 1.0,
                                            price[k % 10] * (1.0005 if k % 2 else 1.01), 1.0))
            if k % 60 == 59:
                close = float(price[k % 10])
                scanner.on_candle(Candle(names[k % 10], t - 60_000, close, close * 1.01, close * 0.99, close,
                                         1e4, quote_volume=float(quote[k % 10]) / 500))
            if k == 450:
                scanner.set_symbols([*symbols[2:], "NEWUSDT"])
            if frame:
                scanner.on_tickers(TickersUpdated(frame, max(x.event_time_ms for x in frame)))
    assert len(ref_alerts) > 50 and len({a.alert_type for a in ref_alerts}) >= 3
    assert_same(reference, fused, ref_alerts, fused_alerts)


def test_a_frame_of_only_outside_symbols_changes_nothing() -> None:
    reference, fused, ref_alerts, fused_alerts = pair(RULES, NumbaTickerKernel())
    for scanner in (reference, fused):
        scanner.set_symbols(["BTCUSDT"])
        assert scanner.on_tickers(TickersUpdated([ticker("ETHUSDT", 5_000, 10.0, 1e9)], 5_000)) == 0
        assert scanner.history.second == -1
    assert_same(reference, fused, ref_alerts, fused_alerts)
