"""Labels of spec 5.2: by hand, against the spec's own pandas formula on real data, gaps and look-ahead."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from domain.labels import max_move_pct, spec_label

GAPPY = "freqtrade_userdata/binance_spot_1m_2023-03-16_2023-05-01_13pairs.csv.xz"  # 80-bar halt 2023-03-24


def test_by_hand() -> None:
    close = np.array([100.0, 100.0, 100.0, 100.0, 100.0, 100.0])
    high = np.array([100.0, 100.1, 100.2, 100.0, 100.0, 100.3])
    label = spec_label(high, close, horizon=3, threshold=0.002)
    # t=0 sees highs 100.1, 100.2, 100.0 -> +0.2 % reached; t=1 sees 100.2 -> yes; t=2 sees 100.3 -> yes
    np.testing.assert_array_equal(label, [1.0, 1.0, 1.0, np.nan, np.nan, np.nan])
    assert spec_label(high, close, horizon=3, threshold=0.0025)[0] == 0.0
    move = max_move_pct(high, close, horizon=2)
    np.testing.assert_allclose(move[:4], [0.2, 0.2, 0.0, 0.3], atol=1e-12)
    assert np.isnan(move[4:]).all()


def test_matches_the_spec_formula_on_real_data(shared_data: Path) -> None:
    df = pd.read_csv(shared_data / GAPPY, nrows=5000)
    df = df[df["symbol"] == df["symbol"].iloc[0]]
    future_max = df["high"].rolling(3).max().shift(-3)  # spec 5.2 verbatim
    expected = ((future_max - df["close"]) / df["close"] >= 0.002).astype(float).where(future_max.notna())
    label = spec_label(df["high"].to_numpy(), df["close"].to_numpy(), 3, 0.002)
    np.testing.assert_array_equal(label, expected.to_numpy())
    assert 0 < np.nanmean(label) < 1
    move = max_move_pct(df["high"].to_numpy(), df["close"].to_numpy(), 3)
    np.testing.assert_allclose(move, ((future_max - df["close"]) / df["close"] * 100).to_numpy(), rtol=1e-12)
    assert ((move >= 0.2) == (label == 1))[np.isfinite(move)].mean() > 0.999


def test_a_label_never_spans_a_gap(shared_data: Path) -> None:
    df = pd.read_csv(shared_data / GAPPY, nrows=20000)
    df = df[df["symbol"] == "ADAUSDT"]
    times = df["open_time"].to_numpy(np.int64)
    hole = int(np.flatnonzero(np.diff(times) > 60_000)[0])  # last bar before the 2023-03-24 halt
    label = spec_label(df["high"].to_numpy(), df["close"].to_numpy(), 3, 0.002, open_time_ms=times,
                       interval_ms=60_000)
    move = max_move_pct(df["high"].to_numpy(), df["close"].to_numpy(), 3, open_time_ms=times)
    assert np.isnan(label[hole - 2:hole + 1]).all() and np.isnan(move[hole - 2:hole + 1]).all()
    assert not np.isnan(label[hole - 3]) and not np.isnan(label[hole + 1])
    assert np.isnan(label).sum() == 3 + 3  # the gap and the end of the history


def test_labels_depend_only_on_the_future(shared_data: Path) -> None:
    df = pd.read_csv(shared_data / GAPPY, nrows=3000)
    high, close = df["high"].to_numpy(), df["close"].to_numpy()
    t = 1500
    base = spec_label(high, close, 3, 0.002)
    past_changed_high, past_changed_close = high.copy(), close.copy()
    past_changed_high[:t] *= 1.5  # every bar before t
    past_changed_close[:t] *= 0.5
    np.testing.assert_array_equal(spec_label(past_changed_high, past_changed_close, 3, 0.002)[t:], base[t:])
    far_future = high.copy()
    far_future[t + 4:] *= 2.0  # beyond the horizon of t
    assert spec_label(far_future, close, 3, 0.002)[t] == base[t]
    near_future = high.copy()
    near_future[t + 3] = close[t] * 1.01  # inside the horizon: the label at t must see it
    assert spec_label(near_future, close, 3, 0.002)[t] == 1.0


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="horizon"):
        spec_label(np.ones(5), np.ones(5), 0)
    with pytest.raises(ValueError, match="close has 4"):
        spec_label(np.ones(5), np.ones(4))
    with pytest.raises(ValueError, match="open_time_ms has 2"):
        spec_label(np.ones(5), np.ones(5), open_time_ms=np.arange(2))
