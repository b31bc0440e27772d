"""Live (trailing window) equals batch (whole history); nothing at t depends on bars after t."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from domain.features import (
    FEATURE_NAMES,
    WARMUP_BARS,
    BookFeaturesInput,
    KlineArrays,
    book_features,
    compute_features,
    latest_features,
)
from domain.features_book import BOOK_FEATURE_NAMES
from domain.values import OrderBook

FULL = "binancedatagetter_vision/binance_spot_1m_2023-10-01_2024-04-30_BTC_ETH_SOL_ARB.csv.xz"
# OHLCV-only, 2020: illiquid moments (zero-volume bars, flat candles) test the NaN/zero conventions.
OLD = "freqtrade_userdata/binance_spot_1m_2020-05-21_2020-06-20_18pairs.csv.xz"
# 96 pairs, 2021: AAVEUSDT through the 19 May 2021 crash (the harshest test of convergence).
CRASH = "freqtrade_userdata/binance_spot_1m_2021-04-02_2021-05-31_96pairs.csv.xz"


def _load(shared_data: Path, name: str) -> pd.DataFrame:
    if name != CRASH:
        return pd.read_csv(shared_data / name, nrows=6000)
    frame = pd.read_csv(shared_data / name, nrows=150_000)
    frame = frame[frame["symbol"] == "AAVEUSDT"]
    start = pd.Timestamp("2021-05-17", tz="UTC").value // 1_000_000
    return frame[frame["open_time"] >= start].iloc[:6000]


def klines_of(frame: pd.DataFrame) -> KlineArrays:
    taker = frame.get("taker_buy_base_volume", pd.Series(np.nan, index=frame.index))
    return KlineArrays(frame["open_time"].to_numpy(np.int64), frame["open"].to_numpy(float),
                       frame["high"].to_numpy(float), frame["low"].to_numpy(float),
                       frame["close"].to_numpy(float), frame["volume"].to_numpy(float),
                       np.asarray(taker, dtype=float))


def head(k: KlineArrays, rows: int) -> KlineArrays:
    return KlineArrays(k.open_time_ms[:rows], k.open[:rows], k.high[:rows], k.low[:rows], k.close[:rows],
                       k.volume[:rows], k.taker_buy_base_volume[:rows])


@pytest.fixture(scope="module", params=[FULL, OLD, CRASH],
                ids=["full-columns-2023", "ohlcv-2020", "crash-2021"])
def history(request: pytest.FixtureRequest, shared_data: Path) -> KlineArrays:
    return klines_of(_load(shared_data, request.param))


def same(live: np.ndarray, batch: np.ndarray) -> np.ndarray:
    """Equal within 1e-9 relative (no absolute slack), NaN where the other is NaN."""
    both_nan = np.isnan(live) & np.isnan(batch)
    close = np.abs(live - batch) <= 1e-9 * np.maximum(np.abs(live), np.abs(batch))
    return both_nan | close


def test_live_window_equals_batch_everywhere_checked(history: KlineArrays) -> None:
    batch = compute_features(history)
    rows = np.unique(np.concatenate([
        np.arange(WARMUP_BARS - 1, WARMUP_BARS + 40),
        np.random.default_rng(7).integers(WARMUP_BARS, len(history), 200),
        [len(history) - 1]]))
    for t in rows:
        live = latest_features(head(history, t + 1))
        ok = same(live, batch[t])
        assert ok.all(), (t, [FEATURE_NAMES[i] for i in np.flatnonzero(~ok)], live[~ok], batch[t][~ok])
    kline_cols = [i for i, n in enumerate(FEATURE_NAMES) if not n.startswith("book_")]
    assert np.isfinite(batch[rows][:, kline_cols]).mean() > 0.9  # the check is not vacuous


def test_short_window_gives_nan_not_a_half_converged_value(history: KlineArrays) -> None:
    assert np.isnan(latest_features(head(history, WARMUP_BARS - 1))).all()
    assert not np.isnan(latest_features(head(history, WARMUP_BARS))[0])


def test_no_look_ahead(history: KlineArrays) -> None:
    t = 3000
    batch = compute_features(history)
    rng = np.random.default_rng(1)
    n = len(history)
    factor = rng.uniform(0.5, 2.0, n - t - 1)
    changed = KlineArrays(
        history.open_time_ms, history.open.copy(), history.high.copy(), history.low.copy(),
        history.close.copy(), history.volume.copy(), history.taker_buy_base_volume.copy())
    for arr in (changed.open, changed.high, changed.low, changed.close):
        arr[t + 1:] *= factor
    changed.high[t + 1:] *= 1.01
    changed.volume[t + 1:] = rng.uniform(0, 1000, n - t - 1)
    after = compute_features(changed)
    np.testing.assert_array_equal(after[:t + 1], batch[:t + 1])
    assert not np.array_equal(after[t + 1:], batch[t + 1:], equal_nan=True)


def _real_book(shared_data: Path) -> OrderBook:
    with gzip.open(shared_data / "hftbacktest_ws/spot_btcusdt_20240808.jsonl.gz", "rt") as lines:
        for line in lines:
            msg = json.loads(line.split(" ", 1)[1])
            if "lastUpdateId" in msg:
                levels = [tuple(map(float, lv)) for lv in msg["bids"][:20]], \
                    [tuple(map(float, lv)) for lv in msg["asks"][:20]]
                return OrderBook("BTCUSDT", tuple(levels[0]), tuple(levels[1]),
                                 last_update_id=msg["lastUpdateId"])
    raise AssertionError("no REST depth snapshot in the capture")


def test_book_features_by_hand() -> None:
    book = OrderBook("X", bids=((100.0, 2.0), (99.95, 1.0), (99.0, 5.0)), asks=((100.1, 1.0), (101.0, 3.0)))
    values = dict(zip(BOOK_FEATURE_NAMES, book_features(book, last_price=100.0), strict=True))
    mid = 100.05
    assert values["book_spread_pct"] == pytest.approx(0.1)
    assert values["book_imbalance_5"] == pytest.approx((8 - 4) / 12)
    assert values["book_bid_depth_10"] == pytest.approx(200 + 99.95 + 495)
    assert values["book_ask_depth_10"] == pytest.approx(100.1 + 303)
    assert values["book_depth_ratio_10"] == pytest.approx(794.95 / 403.1)
    band = mid * 0.001  # levels within 0.1 % of the mid
    assert values["book_bid_pressure"] == pytest.approx((200 + 99.95) / 794.95)
    assert 100.1 <= mid + band < 101.0
    assert values["book_ask_pressure"] == pytest.approx(100.1 / 403.1)
    assert values["book_mid_vs_last_pct"] == pytest.approx(0.05)
    empty = OrderBook("X", bids=(), asks=((1.0, 1.0),))
    assert np.isnan(book_features(empty, 1.0)).all()


def test_book_group_from_a_real_snapshot(shared_data: Path, history: KlineArrays) -> None:
    book = _real_book(shared_data)
    values = book_features(book, last_price=book.bids[0][0])
    assert np.isfinite(values).all()
    named = dict(zip(BOOK_FEATURE_NAMES, values, strict=True))
    assert 0 < named["book_spread_pct"] < 0.01 and -1 <= named["book_imbalance_5"] <= 1
    assert 0 <= named["book_bid_pressure"] <= 1 and 0 <= named["book_ask_pressure"] <= 1
    window = head(history, WARMUP_BARS)
    live = latest_features(window, BookFeaturesInput.from_book(book, book.bids[0][0]))
    cols = [FEATURE_NAMES.index(n) for n in BOOK_FEATURE_NAMES]
    np.testing.assert_array_equal(live[cols], values)
    batch = compute_features(window)  # no book: group D is NaN, never invented
    assert np.isnan(batch[:, cols]).all()
    per_row = BookFeaturesInput(np.tile(values, (len(window), 1)))
    assert np.isfinite(compute_features(window, per_row)[:, cols]).all()
    with pytest.raises(ValueError, match="shape"):
        BookFeaturesInput(np.zeros(3))
