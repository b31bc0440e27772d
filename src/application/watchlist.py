"""Which symbols get detail streams (klines, book, trades): held positions always, then the best
candidates up to `max_active`. A newly watched symbol is backfilled with WARMUP_BARS closed candles
(after `watch`, so no minute falls between the history and the stream); a symbol whose history has a
hole is backfilled again before it is scored (at most once per `backfill_retry_ms`, so a history with
a real hole in it does not cost a REST call every scan)."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from loguru import logger

from application.bound_logs import symbol_log
from application.market_memory import MarketMemory
from ports.errors import ExchangeError
from ports.market_feed import MarketFeed


class Watchlist:
    def __init__(self, feed: MarketFeed, memory: MarketMemory, max_active: int, warmup_bars: int,
                 mode: str = "paper", backfill_retry_ms: int = 60_000) -> None:
        self._feed, self._memory, self._max_active = feed, memory, max_active
        self._warmup_bars, self._mode, self._retry_ms = warmup_bars, mode, backfill_retry_ms
        self._watched: set[str] = set()
        self._last_backfill_ms: dict[str, int] = {}

    @property
    def watched(self) -> frozenset[str]:
        return frozenset(self._watched)

    async def follow(self, candidates: Sequence[str], held: Collection[str], now_ms: int) -> list[str]:
        """Watch held symbols and the first candidates (bounded), unwatch the rest; returns the candidates
        kept, in order."""
        room = max(self._max_active - len(held), 0)
        kept = [s for s in candidates if s not in held][:room]
        wanted = set(held) | set(kept)
        dropped = sorted(self._watched - wanted)
        if dropped:
            await self._feed.unwatch(dropped)
            self._watched.difference_update(dropped)
            for symbol in dropped:
                self._memory.forget(symbol)
                self._last_backfill_ms.pop(symbol, None)
        added = sorted(wanted - self._watched)
        if added:
            await self._feed.watch(added)
            self._watched.update(added)
        for symbol in sorted(wanted):
            last = self._last_backfill_ms.get(symbol)
            if self._memory.needs_backfill(symbol) and (last is None or now_ms - last >= self._retry_ms):
                self._last_backfill_ms[symbol] = now_ms
                await self.backfill(symbol)
        return [s for s in candidates if s in wanted and s not in held]

    async def backfill(self, symbol: str) -> bool:
        try:
            candles = await self._feed.recent_candles(symbol, self._warmup_bars)
        except ExchangeError as exc:
            logger.bind(symbol=symbol, mode=self._mode).warning(
                "Backfill of {} failed ({}): not scored until it succeeds", symbol, exc)
            return False
        self._memory.backfill(symbol, candles)
        symbol_log(symbol, self._mode).debug("Backfilled {} with {} candles", symbol,
                                                          len(candles))
        return True
