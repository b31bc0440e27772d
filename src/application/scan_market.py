"""Scan the market: keep the scanner's universe fresh and feed it every market event (spec 4.2).

Same code in backtest, paper and live: the scanner takes its time from the events, the universe from
a SymbolUniverse port (Binance REST live, a fixed list in a backtest), the refresh schedule from the
Clock. A failed refresh keeps the current universe and is retried after `retry_ms`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence

from loguru import logger

from domain.market_events import (
    BookTopUpdated,
    BookUpdated,
    CandleUpdated,
    MarketEvent,
    StreamStale,
    TickersUpdated,
)
from domain.pair_state import PairState
from domain.scanner import MultiPairScanner
from domain.scanner_kernel import TickerKernel
from domain.scanner_rules import ScannerAlert, ScannerRules
from ports.clock import Clock
from ports.errors import ExchangeError
from ports.symbols import SymbolUniverse


class ScanMarket:
    def __init__(self, rules: ScannerRules, universe: SymbolUniverse, clock: Clock, *,
                 on_alert: Callable[[ScannerAlert], None] | None = None, refresh_ms: int = 3_600_000,
                 retry_ms: int = 60_000, history_minutes: int = 5, capacity: int = 1024,
                 ranked: bool = True, kernel: TickerKernel | None = None) -> None:
        self.scanner = MultiPairScanner(rules, self._alerted, history_minutes=history_minutes,
                                        capacity=capacity, kernel=kernel)
        self._universe = universe
        self._ranked = ranked  # False (scanner.enabled: false): the universe's pairs in order, unranked
        self._clock = clock
        self._forward = on_alert
        self._refresh_ms = refresh_ms
        self._retry_ms = retry_ms
        self._next_refresh_ms: int | None = None
        self.recent_alerts: deque[tuple[ScannerAlert, int]] = deque(maxlen=50)  # (alert, raised at ms)
        self._log = logger.bind(use_case="scan_market")

    @property
    def symbols(self) -> tuple[str, ...]:
        return self.scanner.symbols

    async def refresh_universe(self, *, force: bool = False) -> Sequence[str] | None:
        """Ask the universe again when due. Returns the new symbol list when it was refreshed (the feed
        must then follow it), None when not due or when the refresh failed."""
        now = self._clock.now_ms()
        if not force and self._next_refresh_ms is not None and now < self._next_refresh_ms:
            return None
        try:
            symbols = list(await self._universe.tradable_symbols())
        except ExchangeError as exc:
            self._next_refresh_ms = now + self._retry_ms
            self._log.warning("universe refresh failed, keeping {} symbols: {}", len(self.symbols), exc)
            return None
        if not symbols and self.symbols:
            self._next_refresh_ms = now + self._retry_ms
            self._log.warning("universe came back empty, keeping {} symbols", len(self.symbols))
            return None
        added, removed = self.scanner.set_symbols(symbols)
        self._next_refresh_ms = now + self._refresh_ms
        self._log.info("universe: {} symbols (+{} -{})", len(symbols), len(added), len(removed))
        return symbols

    def on_event(self, event: MarketEvent) -> None:
        """Feed one market event to the scanner; events it does not use are ignored."""
        if isinstance(event, TickersUpdated):
            self.scanner.on_tickers(event)
        elif isinstance(event, CandleUpdated):
            self.scanner.on_candle(event.candle)
        elif isinstance(event, BookTopUpdated):
            self.scanner.on_book_top(event.top)
        elif isinstance(event, BookUpdated):
            top = event.book.top
            if top is not None:
                self.scanner.on_book_top(top)
        elif isinstance(event, StreamStale):
            self.scanner.forget_book(event.symbol)

    def candidates(self, n: int) -> list[PairState]:
        """The n best pairs by quick score, best first (spec 4.2 `get_top_opportunities`); unranked, the
        first n pairs of the universe that have a price."""
        if self._ranked:
            return self.scanner.get_top_opportunities(n)
        states = (self.scanner.state(symbol) for symbol in self.symbols)
        return [state for state in states if state is not None][:n]

    def _alerted(self, alert: ScannerAlert) -> None:
        self.recent_alerts.append((alert, self._clock.now_ms()))
        self._log.bind(symbol=alert.symbol).debug("scanner alert {} score {:.2f} {}", alert.alert_type.value,
                                                  alert.score, dict(alert.details))
        if self._forward is not None:
            self._forward(alert)
