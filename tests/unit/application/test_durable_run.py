"""The loop's store writes: the risk book at once when it counts something, its equity marks at a bounded
rate (not one sync per market event), everything at stop."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tests.support.fakes import T0, ManualClock
from tests.support.harness import LIMITS

from adapters.storage.state_store import SqliteStateStore
from application.durable_run import DurableRun
from application.holdings import DustLedger
from domain.risk import RiskBook


class CountingStore(SqliteStateStore):
    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.risk_writes = 0

    def save_risk(self, snapshot: Mapping[str, Any]) -> None:
        self.risk_writes += 1
        super().save_risk(snapshot)


def test_equity_marks_are_written_at_a_bounded_rate_and_counters_at_once(tmp_path: Path) -> None:
    store, clock, risk = CountingStore(tmp_path / "s.sqlite"), ManualClock(T0), RiskBook(LIMITS)
    run = DurableRun(store, risk, DustLedger(), None, clock, None, "paper")  # type: ignore[arg-type]
    for k in range(1, 50):  # a rising market, one mark every 100 ms for ~5 s
        clock.now = T0 + 100 * k
        risk.update_equity(100.0 + k / 100, clock.now)
        run.persist()
    assert store.risk_writes == 1  # the first change, then nothing for 5 s
    risk.record_entry("ABCUSDT", clock.now)
    run.persist()
    assert store.risk_writes == 2  # a counter: at once
    risk.update_equity(101.0, clock.now)
    run.persist(force=True)
    assert store.risk_writes == 3 and store.risk() is not None
    assert store.risk()["peak_equity"] == risk.peak_equity  # type: ignore[index]
