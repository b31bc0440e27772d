"""Shared by the paper-mode tests: a model the real OnnxModel loads, and recorded bars for a local venue."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from tests.unit.adapters.training.synthetic import publish_small_model, synthetic_rows

from adapters.simulated.venue.data import VenueData, load_venue_data, parse_day
from domain.features import FEATURE_NAMES, FEATURE_VERSION

VENUE_FILE = "freqtrade_userdata/binance_spot_1m_2026-03-23_2026-04-22_5pairs.csv.xz"
VENUE_START = "2026-04-01"
VENUE_MINUTES = 600  # replayed after the start (the day before it serves the 24 h tickers and REST history)


@pytest.fixture(scope="session")
def paper_model_path(repo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The committed model (models/onnx) when there is one; until then a small LightGBM model on the
    engine's real feature names, trained on synthetic rows and exported by adapters/training, so the
    real OnnxModel loads it and the loop computes the real features for it."""
    committed = sorted((repo_root / "models" / "onnx").glob("scalper-*.onnx"))
    if committed:
        return committed[-1]
    base = synthetic_rows()
    features = np.random.default_rng(5).normal(size=(len(base.label), len(FEATURE_NAMES))).astype(np.float32)
    features[:, : base.features.shape[1]] = base.features
    rows = replace(base, features=features, feature_names=tuple(FEATURE_NAMES),
                   feature_version=FEATURE_VERSION)
    return publish_small_model(tmp_path_factory.mktemp("paper_model"), rows=rows).model_path


@pytest.fixture(scope="session")
def venue_data(shared_data: Path) -> VenueData:
    """Five pairs of real 1m bars (2026-03/04): a day of history, then VENUE_MINUTES replayed."""
    return load_venue_data(shared_data / VENUE_FILE, start_ms=parse_day(VENUE_START), minutes=VENUE_MINUTES)
