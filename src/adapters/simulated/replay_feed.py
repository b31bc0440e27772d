"""ReplayFeed: the MarketFeed port over recorded 1m klines, for backtests and paper rehearsals.

Minute by minute, in time order across all symbols: the clock moves to the bars' close time, then the
closed candles of the watched symbols come out (CandleUpdated) and one TickersUpdated with the 24 h
mini ticker of every symbol that has a bar that minute (domain.rolling_ticker). `recent_candles` only
sees bars closed by the clock's now: no look-ahead. `events()` ends with the data.
"""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterator, Mapping, Sequence
from functools import cached_property
from types import TracebackType
from typing import Self

import numpy as np
from loguru import logger

from domain.candle_columns import CandleColumns
from domain.features import KlineArrays
from domain.market_events import CandleUpdated, MarketEvent, TickersUpdated
from domain.rolling_ticker import RollingTickers
from domain.time_units import MINUTE_MS
from domain.values import Candle, CorruptMarketData, Ticker
from ports.clock import AdvancingClock


class ReplayFeed:
    def __init__(self, candles_by_symbol: Mapping[str, Sequence[Candle] | KlineArrays], clock: AdvancingClock,
                 *, start_ms: int | None = None, watch_all: bool = False, tickers: bool = True) -> None:
        """`start_ms`: bars opened before it only warm up the 24 h tickers and serve `recent_candles`."""
        self._clock = clock
        self._arrays: dict[str, KlineArrays] = {}
        for symbol, source in candles_by_symbol.items():
            arrays = source if isinstance(source, KlineArrays) else KlineArrays.from_candles(list(source))
            times = arrays.open_time_ms  # one comparison pass (np.diff would allocate a second array)
            if len(times) > 1 and bool((times[1:] <= times[:-1]).any()):
                raise ValueError(f"{symbol}: candles must be in strictly increasing open-time order")
            self._arrays[symbol.upper()] = arrays
        self._symbols = tuple(self._arrays)
        self._start_ms = start_ms
        self._watch_all = watch_all
        self._with_tickers = tickers
        self._watched: set[str] = set()
        self.dropped = 0
        self._group = 0
        self._rolling = RollingTickers()
        self._pending: deque[MarketEvent] = deque()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        return None

    @property
    def symbols(self) -> tuple[str, ...]:
        return self._symbols

    async def watch(self, symbols: Sequence[str]) -> None:
        unknown = [s for s in symbols if s.upper() not in self._arrays]
        if unknown:
            logger.warning("replay feed: no data for {}; not watched", unknown)
        self._watched.update(s.upper() for s in symbols if s.upper() in self._arrays)

    async def unwatch(self, symbols: Sequence[str]) -> None:
        self._watched.difference_update(s.upper() for s in symbols)

    def _candle(self, symbol: str, row: int) -> Candle:
        return self._arrays[symbol].candle(symbol, row)

    @cached_property
    def _timeline(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Every bar of every symbol, ordered by open time then symbol: (times, symbol index, row), and
        where each minute starts in that order. Sorted at the first `events()` only: a backtest's replay
        drives the loop itself and asks this feed for histories alone."""
        lengths = [len(self._arrays[s]) for s in self._symbols]
        if not sum(lengths):
            empty = np.empty(0, dtype=np.int64)
            return empty, empty, empty, np.zeros(1, dtype=np.int64)
        times = np.concatenate([self._arrays[s].open_time_ms for s in self._symbols])
        owners = np.repeat(np.arange(len(self._symbols)), lengths)
        rows = np.concatenate([np.arange(n) for n in lengths])
        order = np.lexsort((owners, times))
        times = times[order].astype(np.int64)
        starts = np.concatenate(([0], np.flatnonzero(np.diff(times)) + 1, [len(times)]))
        return times, owners[order], rows[order], starts

    async def events(self) -> AsyncIterator[MarketEvent]:
        """Resumable: a new call continues where the last one stopped."""
        while True:
            while self._pending:
                event = self._pending.popleft()
                if isinstance(event, CandleUpdated) and not self._is_watched(event.candle.symbol):
                    continue  # watch() may have changed since the minute was queued
                yield event
            if not self._queue_next_minute():
                return

    def _is_watched(self, symbol: str) -> bool:
        return self._watch_all or symbol in self._watched

    def _queue_next_minute(self) -> bool:
        """Move the clock to the next minute's close and queue its events; False at the end of the data.
        Warm-up minutes (before `start_ms`) only feed the rolling tickers."""
        times, owners, rows, starts = self._timeline
        while self._group < len(starts) - 1:
            begin, end = int(starts[self._group]), int(starts[self._group + 1])
            self._group += 1
            open_time = int(times[begin])
            close_time = open_time + MINUTE_MS - 1
            live = self._start_ms is None or open_time >= self._start_ms
            if live and close_time > self._clock.now_ms():
                self._clock.advance_to(close_time)
            tickers: list[Ticker] = []
            for i in range(begin, end):
                symbol = self._symbols[int(owners[i])]
                try:
                    candle = self._candle(symbol, int(rows[i]))
                except CorruptMarketData as exc:
                    self.dropped += 1
                    logger.warning("replay feed: dropped a corrupt bar: {}", exc)
                    continue
                if self._with_tickers:
                    tickers.append(self._rolling.push(candle))
                if live:
                    self._pending.append(CandleUpdated(candle))
            if live:
                if tickers:
                    self._pending.append(TickersUpdated(tuple(tickers), close_time))
                return True
        return False

    async def recent_candles(self, symbol: str, limit: int) -> Sequence[Candle]:
        """The last `limit` bars closed by the clock's now (none from the future)."""
        symbol = symbol.upper()
        k = self._arrays.get(symbol)
        if k is None or limit <= 0:
            return []
        # The array's own method: np.searchsorted's dispatch costs more than the search (asked per backfill).
        closed = int(k.open_time_ms.searchsorted(self._clock.now_ms() - MINUTE_MS + 1, side="right"))
        first = max(0, closed - limit)
        if closed <= first:
            return []
        return CandleColumns(symbol, k.rows(first, closed))
