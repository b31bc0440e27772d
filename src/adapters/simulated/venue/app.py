"""A Binance-compatible venue on 127.0.0.1 replaying recorded klines: REST market data and market
streams (this package), plus whatever trading routes `extra_setup` registers (venue/trading.py,
venue/ws_api.py). Point `rest_url` / `ws_url` settings at it and paper mode runs fully offline.

    app = create_venue_app(load_venue_data(path), speed=60)
    async with serve_venue(app) as venue:   # venue.rest_url, venue.ws_url, venue.state
        ...
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass

from aiohttp import web

from adapters.simulated.venue.data import VenueData
from adapters.simulated.venue.market_rest import add_market_routes
from adapters.simulated.venue.sim_clock import VenueClock
from adapters.simulated.venue.state import VENUE_STATE, VenueConfig, VenueState
from adapters.simulated.venue.streams import StreamHub
from domain.rules import SymbolRules

STREAM_HUB = web.AppKey("venue_stream_hub", StreamHub)
_REPLAY_TASK = web.AppKey("venue_replay_task", asyncio.Task[None])


def create_venue_app(data: VenueData, *, speed: float = 60.0, clock: VenueClock | None = None,
                     start_ms: int | None = None, config: VenueConfig | None = None,
                     rules: Mapping[str, SymbolRules] | None = None,
                     extra_setup: Sequence[Callable[[web.Application], None]] = ()) -> web.Application:
    """The venue app. Its clock starts at `start_ms` (default: `data.default_start_ms()`) and runs `speed`
    times faster than the wall clock; the replay task runs while the app is served."""
    clock = clock or VenueClock(start_ms if start_ms is not None else data.default_start_ms(), speed=speed)
    state = VenueState(data, clock, config or VenueConfig(), rules)
    hub = StreamHub(state)
    app = web.Application()
    app[VENUE_STATE] = state
    app[STREAM_HUB] = hub
    add_market_routes(app)
    for path in ("/stream", "/ws", "/ws/{streams:.+}"):
        app.router.add_get(path, hub.handle)
    for setup in extra_setup:
        setup(app)

    async def start_replay(app: web.Application) -> None:
        app[_REPLAY_TASK] = asyncio.get_running_loop().create_task(hub.run())

    async def stop_replay(app: web.Application) -> None:
        task = app[_REPLAY_TASK]
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
        await hub.close_all()

    app.on_startup.append(start_replay)
    app.on_shutdown.append(stop_replay)
    return app


@dataclass(frozen=True, slots=True)
class RunningVenue:
    rest_url: str
    ws_url: str
    app: web.Application

    @property
    def state(self) -> VenueState:
        return self.app[VENUE_STATE]


@asynccontextmanager
async def serve_venue(app: web.Application, *, host: str = "127.0.0.1",
                      port: int = 0) -> AsyncIterator[RunningVenue]:
    """Serve `app` on host:port (0 = a free port) until the block exits."""
    runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound_port = runner.addresses[0][1]
    try:
        yield RunningVenue(f"http://{host}:{bound_port}", f"ws://{host}:{bound_port}", app)
    finally:
        await runner.cleanup()
