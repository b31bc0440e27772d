from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from adapters.training.labels import LabelSpec
from adapters.training.sources import fit_feature_rows, load_training_rows
from domain.features import FEATURE_NAMES, WARMUP_BARS
from domain.outcome import ExitRules, TradeCosts

BARS = WARMUP_BARS + 600


@pytest.fixture(scope="module")
def two_sources(sample_klines: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Real klines of one pair (data/sample) twice: an OHLCV-only file, and a later overlapping slice that
    also carries taker-buy volume (added here: only the de-duplication rule is under test)."""
    klines = pd.read_csv(sample_klines, nrows=BARS)
    folder = tmp_path_factory.mktemp("sources")
    plain, full = folder / "plain.csv", folder / "full.csv"
    klines.to_csv(plain, index=False)
    later = klines.iloc[300:].assign(taker_buy_base_volume=lambda f: f["volume"] * 0.5)
    later.to_csv(full, index=False)
    return plain, full


def test_overlapping_sources_give_one_row_per_minute_the_fullest_winning(two_sources: tuple[Path, Path]
                                                                         ) -> None:
    plain, full = two_sources
    rows = load_training_rows([plain, full], LabelSpec("spec", 3, 0.002))
    pairs = list(zip(rows.symbol[:].tolist(), rows.time_ms.tolist(), strict=True))
    assert len(pairs) == len(set(pairs))
    assert np.all(np.diff(rows.time_ms) > 0)  # one symbol: strictly increasing times
    delta = rows.column("volume_delta")
    alone = load_training_rows([full], LabelSpec("spec", 3, 0.002))
    overlap = np.isin(rows.time_ms, alone.time_ms)
    assert overlap.any() and np.isfinite(delta[overlap]).all()
    assert np.isnan(delta[~overlap]).all()
    assert rows.features.dtype == np.float32 and rows.features.shape[1] == len(FEATURE_NAMES)


def test_spec_labels_follow_the_threshold(two_sources: tuple[Path, Path]) -> None:
    rows = load_training_rows([two_sources[0]], LabelSpec("spec", 3, 0.002))
    assert rows.label_card.kind == "spec" and rows.label_card.threshold_pct == pytest.approx(0.2)
    np.testing.assert_array_equal(rows.label == 1.0, rows.move_pct >= 0.2 - 1e-9)


def test_outcome_labels_carry_the_net_return(two_sources: tuple[Path, Path]) -> None:
    spec = LabelSpec("outcome", 5, 0.002, ExitRules(take_profit_pct=0.003, stop_loss_pct=0.004,
                                                    timeout_bars=5), TradeCosts())
    rows = load_training_rows([two_sources[0]], spec)
    assert rows.net_return_pct is not None and np.isfinite(rows.net_return_pct).all()
    np.testing.assert_array_equal(rows.label == 1.0, rows.net_return_pct > 0)
    card = rows.label_card
    assert card.kind == "outcome" and card.exit_policy is not None and card.horizon_bars == 6
    assert card.exit_policy.round_trip_cost_pct == pytest.approx(TradeCosts().round_trip_pct)


def test_no_rows_is_an_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("symbol,open_time,open,high,low,close,volume\n")
    with pytest.raises(ValueError):
        load_training_rows([empty], LabelSpec("spec", 3, 0.002))


def test_keeping_the_fits_rows_holds_only_their_features_and_changes_nothing_else(
        two_sources: tuple[Path, Path]) -> None:
    spec = LabelSpec("outcome", 5, 0.002, ExitRules(take_profit_pct=0.003, stop_loss_pct=0.004,
                                                    timeout_bars=5), TradeCosts())
    every = load_training_rows(list(two_sources), spec)
    fit_from = int(every.time_ms[len(every) * 2 // 3])
    some = load_training_rows(list(two_sources), spec, keep=fit_feature_rows(fit_from, 4))
    for name in ("label", "move_pct", "time_ms", "net_return_pct"):
        np.testing.assert_array_equal(getattr(some, name), getattr(every, name))
    np.testing.assert_array_equal(some.symbol[:], every.symbol[:])
    chosen = (every.time_ms >= fit_from) | ((every.time_ms // 60_000) % 4 == 0)
    assert some.feature_rows is not None
    np.testing.assert_array_equal(some.feature_rows, np.flatnonzero(chosen))
    assert len(some.features) == chosen.sum() < len(every)
    np.testing.assert_array_equal(some.features_at(some.feature_rows), every.features[chosen])
    with pytest.raises(ValueError, match="not kept"):
        some.features_at(np.flatnonzero(~chosen)[:3])
