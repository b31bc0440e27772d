"""Report performance: the periodic stats line of spec 4.8, from the trade journal and the risk book."""

from __future__ import annotations

from loguru import logger

from domain.risk import RiskBook
from domain.stats import compute_stats, format_stats_line
from ports.clock import Clock
from ports.journal import TradeJournal


class StatsReporter:
    """Logs `Stats: trades=... | wins=... | PnL today=... | total=...` over the whole journal."""

    def __init__(self, journal: TradeJournal, risk: RiskBook, clock: Clock, initial_capital: float) -> None:
        self._journal = journal
        self._risk = risk
        self._clock = clock
        self._initial_capital = initial_capital

    def report(self) -> str | None:
        """Log one stats line and return it; None (and an error logged) when the journal cannot be read,
        since a report must never stop the bot."""
        now_ms = self._clock.now_ms()
        try:
            trades = self._journal.trades()
        except OSError as exc:
            logger.error("stats not reported: the trade journal cannot be read: {}", exc)
            return None
        stats = compute_stats(trades, self._initial_capital)
        line = format_stats_line(stats, self._risk.daily_pnl(now_ms), self._risk.day_start_capital(now_ms))
        logger.info(line)
        return line

    async def run_every(self, interval_sec: float) -> None:
        """Report every `interval_sec` (timing.stats_interval_seconds) until cancelled."""
        while True:
            await self._clock.sleep(interval_sec)
            self.report()
