"""The venue side of bench_tick_to_order.py, run in its child process: 200 pairs of recorded 1m klines
(the 13 pairs of the 2023 shared-data file, each replayed under 15-16 names) streamed and traded."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared/data/freqtrade_userdata/binance_spot_1m_2023-03-16_2023-05-01_13pairs.csv.xz"
START_MS = 1_681_344_000_000  # 2023-04-13 00:00 UTC: all 13 pairs have bars


def serve_venue(pairs: int) -> None:
    from adapters.simulated.venue.data import VenueData, load_venue_data
    from adapters.simulated.venue.trading import serve_trading_venue
    from adapters.simulated.venue.trading_desk import TradingConfig

    recorded = load_venue_data(DATA, start_ms=START_MS, minutes=30, warmup_ms=3_600_000)
    names = sorted(recorded.bars)
    bars = {}
    for i in range(pairs):  # BTCUSDT, ETHUSDT, ..., then BTC1USDT, ETH1USDT, ...
        source = names[i % len(names)]
        copy = i // len(names)
        bars[source if copy == 0 else source.replace("USDT", f"{copy}USDT")] = recorded.bars[source]
    limits = ({"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "limit": 6000},
              {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": 100_000})
    config = TradingConfig(deposits={"USDT": Decimal(10**9)}, rate_limits=limits)

    async def run() -> None:
        async with serve_trading_venue(VenueData(bars), config=config, speed=1.0,
                                       start_ms=START_MS) as venue:
            print(f"VENUE {venue.rest_url} {venue.ws_url} {' '.join(sorted(bars))}", flush=True)
            await asyncio.Event().wait()

    asyncio.run(run())
