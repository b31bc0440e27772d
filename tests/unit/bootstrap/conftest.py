"""Shared by the paper-mode tests: a model the real OnnxModel loads, and recorded bars for a local venue."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.support.synthetic_model import committed_or_small_model

from adapters.simulated.venue.data import VenueData, load_venue_data, parse_day

VENUE_START = "2026-04-01"
VENUE_MINUTES = 600  # replayed after the start (the day before it serves the 24 h tickers and REST history)


@pytest.fixture(scope="session")
def paper_model_path(repo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The committed model (models/onnx) when there is one; until then a small LightGBM model on the
    engine's real feature names, trained on synthetic rows and exported by adapters/training, so the
    real OnnxModel loads it and the loop computes the real features for it."""
    return committed_or_small_model(repo_root / "models" / "onnx", tmp_path_factory.mktemp("paper_model"))


@pytest.fixture(scope="session")
def venue_data(sample_klines: Path) -> VenueData:
    """Five pairs of real 1m bars (2026-03/04): a day of history, then VENUE_MINUTES replayed."""
    return load_venue_data(sample_klines, start_ms=parse_day(VENUE_START), minutes=VENUE_MINUTES)
