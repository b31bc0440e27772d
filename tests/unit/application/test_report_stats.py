"""StatsReporter: one spec 4.8 stats line from the journal and the risk book; an unreadable journal
is logged, never raised."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence

import pytest
from loguru import logger

from adapters.clocks import ReplayClock
from application.report_stats import StatsReporter
from domain.position import CompletedTrade, ExitReason
from domain.risk import RiskBook, RiskLimits

DAY = 86_400_000
NOW = 19_000 * DAY + 12 * 3_600_000
LIMITS = RiskLimits(30.0, 0.2, 5.0, 0.02, 0.1, 0.25, 1, 20, 100)


class ListJournal:
    def __init__(self, trades: Sequence[CompletedTrade] = (), broken: bool = False) -> None:
        self._trades = list(trades)
        self._broken = broken

    def record(self, trade: CompletedTrade) -> None:
        self._trades.append(trade)

    def trades(self) -> Sequence[CompletedTrade]:
        if self._broken:
            raise OSError("disk gone")
        return list(self._trades)


def trade(pnl: float, exit_ms: int) -> CompletedTrade:
    return CompletedTrade("ETHUSDT", 10.0, 10.0 + pnl, 1.0, exit_ms - 60_000, exit_ms, 0.0, ExitReason.TP)


@pytest.fixture
def logged() -> Iterator[list[str]]:
    lines: list[str] = []
    handler = logger.add(lambda message: lines.append(str(message)), format="{level} {message}")
    yield lines
    logger.remove(handler)


def test_reports_totals_from_the_journal_and_today_from_the_risk_book(logged: list[str]) -> None:
    yesterday, today = NOW - DAY, NOW - 60_000
    journal = ListJournal([trade(1.0, yesterday), trade(0.6, today)])
    risk = RiskBook(LIMITS)
    risk.record_exit(trade(1.0, yesterday), yesterday)
    risk.record_exit(trade(0.6, today), today)
    line = StatsReporter(journal, risk, ReplayClock(NOW), 30.0).report()
    assert line is not None
    assert line.startswith("Stats: trades=2 | wins=2 (100.0%) | PnL today=+0.60 USDT (+2.0%) | "
                           "total=+1.60 USDT (+5.3%)")
    assert logged == [f"INFO {line}\n"]


def test_a_run_counts_its_own_trades_against_its_own_capital(logged: list[str]) -> None:
    earlier = [trade(-3.0, NOW - 3 * 60_000) for _ in range(41)]  # an earlier run lost 123 USDT
    journal = ListJournal(earlier)
    reporter = StatsReporter(journal, RiskBook(LIMITS), ReplayClock(NOW), 30.0)
    reporter.begin_run()  # a new run: a fresh simulated account of 30 USDT
    journal.record(trade(0.6, NOW - 60_000))
    line = reporter.report()
    assert line is not None and line.startswith("Stats: trades=1 | wins=1 (100.0%) |")
    assert "total=+0.60 USDT (+2.0%)" in line
    assert [t.pnl_usdt for t in reporter.run_trades()] == [pytest.approx(0.6)]
    assert len(journal.trades()) == 42  # the journal keeps the whole history


def test_an_unreadable_journal_is_logged_not_raised(logged: list[str]) -> None:
    reporter = StatsReporter(ListJournal(broken=True), RiskBook(LIMITS), ReplayClock(NOW), 30.0)
    assert reporter.report() is None
    assert len(logged) == 1 and logged[0].startswith("ERROR stats not reported") and "disk gone" in logged[0]


async def test_run_every_reports_on_the_clock(logged: list[str]) -> None:
    clock = ReplayClock(NOW)
    task = asyncio.create_task(StatsReporter(ListJournal(), RiskBook(LIMITS), clock, 30.0).run_every(60))
    for _ in range(100):  # each report takes one virtual sleep and one turn of the loop
        if len(logged) >= 3:
            break
        await asyncio.sleep(0)
    task.cancel()
    assert clock.now_ms() >= NOW + 3 * 60_000
    assert len(logged) >= 3 and all(line.startswith("INFO Stats: trades=0") for line in logged)
