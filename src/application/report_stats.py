"""Report performance: the periodic stats line of spec 4.8, from the trade journal and the risk book.

The line counts the trades of this run only, against this run's starting capital: the journal keeps
the whole history (a paper journal accumulates across runs), while each paper run's simulated account
starts again from `initial_capital`, so a total over every run measured against it would mean nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from loguru import logger

from domain.position import CompletedTrade
from domain.risk import RiskBook
from domain.stats import compute_stats, format_stats_line
from ports.clock import Clock
from ports.journal import TradeJournal


class StatsReporter:
    """Logs `Stats: trades=... | wins=... | PnL today=... | total=...` over the run's trades."""

    def __init__(self, journal: TradeJournal, risk: RiskBook, clock: Clock, initial_capital: float) -> None:
        self._journal = journal
        self._risk = risk
        self._clock = clock
        self._initial_capital = initial_capital
        self._first = 0  # trades journaled before this run began

    def begin_run(self) -> None:
        """From now on count only the trades journaled after this call (the trading loop's start)."""
        try:
            self._first = len(self._journal.trades())
        except OSError as exc:
            logger.error("the trade journal cannot be read at start ({}): stats count every trade in it", exc)

    def run_trades(self) -> Sequence[CompletedTrade]:
        """The trades journaled since `begin_run`, in order (OSError when the journal cannot be read)."""
        return self._journal.trades()[self._first:]

    def report(self) -> str | None:
        """Log one stats line and return it; None (and an error logged) when the journal cannot be read,
        since a report must never stop the bot."""
        now_ms = self._clock.now_ms()
        try:
            trades = self.run_trades()
        except OSError as exc:
            logger.error("stats not reported: the trade journal cannot be read: {}", exc)
            return None
        stats = compute_stats(trades, self._initial_capital)
        line = format_stats_line(stats, self._risk.daily_pnl(now_ms), self._risk.day_start_capital(now_ms),
                                 self._risk.limits.quote_asset)
        logger.info(line)
        return line

    async def run_every(self, interval_sec: float) -> None:
        """Report every `interval_sec` (timing.stats_interval_seconds) until cancelled."""
        while True:
            await self._clock.sleep(interval_sec)
            self.report()
