"""The local venue the commission endpoint's tests ask: BTCUSDT at the BNB discount, XRPUSDT a zero-fee pair,
over 30 minutes of the committed sample (data/sample)."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from pathlib import Path

from adapters.simulated.costs import SimulatorCosts, SymbolCommission
from adapters.simulated.venue.data import VenueData, load_venue_data
from adapters.simulated.venue.trading import TradingVenue, serve_trading_venue
from adapters.simulated.venue.trading_desk import TradingConfig

START_MS = 1_775_001_600_000  # 2026-04-01 00:00 UTC, in the committed sample


@functools.cache
def _venue_data(sample_klines: Path) -> VenueData:
    return load_venue_data(sample_klines, symbols=("BTCUSDT", "XRPUSDT"), start_ms=START_MS, minutes=30,
                           warmup_ms=600_000)


@asynccontextmanager
async def commission_venue(sample_klines: Path) -> AsyncIterator[TradingVenue]:
    costs = SimulatorCosts(latency_ms=0, bnb_discount=True,
                           symbol_fees={"XRPUSDT": SymbolCommission(taker=Decimal(0), maker=Decimal(0))})
    async with serve_trading_venue(_venue_data(sample_klines), config=TradingConfig(costs=costs)) as running:
        yield running
