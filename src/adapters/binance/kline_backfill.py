"""Closed 1m bars the stream never delivered, fetched over REST and emitted through the router in order
(after a reconnect, or when a kline reveals a hole), and the REST side of `recent_candles`."""

from __future__ import annotations

from loguru import logger

from adapters.binance.candle_gaps import Gap
from adapters.binance.feed_stats import FeedCounters
from adapters.binance.frame_router import FrameRouter
from adapters.binance.market_rest import MarketRest
from adapters.binance.parse import parse_rest_klines
from domain.values import Candle, CorruptMarketData
from ports.errors import ExchangeError


class KlineBackfill:
    def __init__(self, router: FrameRouter, counters: FeedCounters) -> None:
        self._router = router
        self._counters = counters

    async def after_reconnect(self, rest: MarketRest) -> None:
        """Every watched symbol's bars closed between its last bar seen and the server's now."""
        tracker = self._router.tracker
        watched = [s for s in self._router.watched if tracker.last_closed_open_ms(s) is not None]
        if not watched:
            return
        try:
            server_time = await rest.server_time_ms()
        except ExchangeError as exc:
            self._counters.backfill_failures += 1
            logger.warning("market feed: no server time for the backfill after reconnect: {}", exc)
            return
        for symbol in watched:
            gap = tracker.missed_until(symbol, server_time)
            if gap is not None:
                await self.fill(rest, gap)

    async def fill(self, rest: MarketRest, gap: Gap) -> None:
        """Fetch the bars of `gap` and emit those not seen yet. A failure is logged, counted and not
        retried (the next reconnect asks again for whatever is still missing)."""
        self._router.tracker.mark_checked(gap)
        try:
            rows = await rest.klines(gap.symbol, start_ms=gap.first_open_ms,
                                     end_ms=gap.last_open_ms + gap.interval_ms - 1, limit=gap.bars)
            candles = parse_rest_klines(rows, gap.symbol)
        except (ExchangeError, CorruptMarketData) as exc:
            self._counters.backfill_failures += 1
            logger.warning("market feed: backfill of {} bars for {} failed: {}", gap.bars, gap.symbol, exc)
            return
        for candle in candles:
            inside = gap.first_open_ms <= candle.open_time_ms <= gap.last_open_ms
            if inside and self._router.emit_candle(candle):
                self._counters.backfilled_candles += 1


async def closed_klines(rest: MarketRest, symbol: str, limit: int) -> list[Candle]:
    """The last `limit` (<= 1000) closed 1m bars over REST; the bar in progress is left out."""
    server_time = await rest.server_time_ms()
    rows = await rest.klines(symbol, end_ms=server_time, limit=min(limit + 1, 1000))
    try:
        candles = parse_rest_klines(rows, symbol, server_time_ms=server_time)
    except CorruptMarketData as exc:
        raise ExchangeError(f"klines for {symbol}: {exc}") from exc
    return [c for c in candles if c.closed][-limit:]
