"""Start the operator's console beside the trading loop (paper and live), when `console.enabled`.

It must run before the loop is built: the trade journal is wrapped (RecentTrades) so the console sees
each trade without re-reading the journal's files, and the loop's feed and exchange are timed
(adapters/console/instruments.py: tick-to-order and order round trips). Off, it changes nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from dependency_injector import providers

from application.console_state import ConsoleState
from application.recent_trades import RecentTrades
from bootstrap import mapping
from bootstrap.container import Container
from bootstrap.settings_model import Settings
from domain.time_units import MINUTE_MS

if TYPE_CHECKING:
    from adapters.console.service import ConsoleService


@asynccontextmanager
async def console_beside(container: Container, settings: Settings, mode: str, *,
                         venue_url: str | None = None) -> AsyncIterator[ConsoleService | None]:
    config = mapping.console_config_from(settings)  # ConfigurationError when on without its token
    if config is None:
        yield None
        return
    from adapters.console.instruments import TimedExchange, TimedFeed
    from adapters.console.metrics import ConsoleMetrics
    from adapters.console.service import ConsoleService  # here: off, no apprise nor prometheus in memory

    trades = RecentTrades(container.trade_journal())
    container.trade_journal.override(providers.Object(trades))
    metrics = ConsoleMetrics()
    feed = TimedFeed(container.market_feed())
    container.trading_loop.add_kwargs(feed=feed, exchange=TimedExchange(container.exchange(), metrics, feed))
    loop = container.trading_loop()
    clock = container.clock()
    state = ConsoleState(loop, trades, clock, venue=mapping.venue_label(settings, mode, venue_url),
                         scanner=container.scanner(), limits=mapping.console_limits_from(settings))
    limiter = getattr(container.exchange(), "limiter", None)  # live: Binance's request weight

    def weight_used() -> int | None:
        return None if limiter is None else int(limiter.used("REQUEST_WEIGHT", MINUTE_MS))

    service = ConsoleService(state, config, clock, weight_used=weight_used, metrics=metrics)
    trades.subscribe(service.on_trade)
    async with service:
        yield service
