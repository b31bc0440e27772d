"""The one-pair trading venue the Binance adapter's venue tests share (recovery, stream exits): XRPUSDT's
real recorded hour, 1000 USDT deposited. A module that needs another venue defines its own `venue`."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import pytest

from adapters.simulated.venue.data import VenueData, load_venue_data
from adapters.simulated.venue.trading import TradingVenue, serve_trading_venue
from adapters.simulated.venue.trading_desk import TradingConfig

DATA_FILE = "freqtrade_userdata/binance_spot_1m_2026-03-23_2026-04-22_5pairs.csv.xz"
START_MS = 1_774_400_040_000
SYMBOL = "XRPUSDT"


@functools.cache
def venue_data(shared_data: Path) -> VenueData:
    return load_venue_data(shared_data / DATA_FILE, symbols=(SYMBOL,), start_ms=START_MS, minutes=60,
                           warmup_ms=3_600_000)


@pytest.fixture
async def venue(shared_data: Path) -> AsyncIterator[TradingVenue]:
    async with serve_trading_venue(venue_data(shared_data), config=TradingConfig(
            deposits={"USDT": Decimal(1000)})) as running:
        yield running
