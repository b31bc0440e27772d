"""A small slice of recorded 1m bars (the committed sample, 5 pairs) and a venue serving it on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from adapters.simulated.venue.app import RunningVenue, create_venue_app, serve_venue
from adapters.simulated.venue.data import VenueData, load_venue_data, parse_day
from adapters.simulated.venue.state import VenueConfig

START = "2026-04-01"

VenueFactory = Callable[..., AbstractAsyncContextManager[RunningVenue]]


@pytest.fixture(scope="session")
def venue_data(sample_klines: Path) -> VenueData:
    return load_venue_data(sample_klines, symbols=["BTCUSDT", "ETHUSDT"], start_ms=parse_day(START),
                           minutes=600)


@pytest.fixture
def venue_at(venue_data: VenueData) -> VenueFactory:
    """`async with venue_at(speed=..., **VenueConfig fields) as venue:` a served venue."""
    @asynccontextmanager
    async def running(*, speed: float = 600.0, **config: Any) -> AsyncIterator[RunningVenue]:
        config.setdefault("tick_sec", 0.02)
        app = create_venue_app(venue_data, speed=speed, config=VenueConfig(**config))
        async with serve_venue(app) as venue:
            yield venue
    return running
