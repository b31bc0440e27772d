"""Crash-only with the REAL CLI (issue 14, item 6), the short CI run of `scripts/chaos --venue`: the local
venue in this process, `python -m bootstrap live` in a child process SIGKILLed 5 times (at random, the
instant an entry fills before its OCO, the instant an OCO is cancelled before its sale), restarted, then
stopped by SIGTERM; the venue's full history is checked against the store and the journal."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[3]
KILLS = 5
SEED = 5  # after-entry, random, random, random, after-oco-cancel (down 0-3 s after each)


def driver() -> ModuleType:
    spec = importlib.util.spec_from_file_location("chaos_venue", ROOT / "scripts" / "chaos_venue.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["chaos_venue"] = module
    spec.loader.exec_module(module)
    return module


async def test_five_kill_9s_of_the_live_cli_lose_nothing_and_leave_nothing_naked(tmp_path: Path) -> None:
    chaos = driver()
    result = await chaos.chaos(KILLS, SEED, tmp_path, data=ROOT / "data" / "sample", start="2026-04-02",
                               max_open=1, speed=10.0, settle=12.0, max_delay=8.0, max_down=3.0)
    assert chaos.failures(result) == [], result
    assert sum(result["kills"].values()) == KILLS
    assert result["final exit"] == 0
    # It traded: round trips went through the kills (else the checks above prove nothing).
    assert result["round trips completed on the venue"] >= 2
    assert result["round trips journaled"] >= result["round trips completed on the venue"]
    assert result["most open at once"] <= 1
    assert result["runs that finished recovery"] >= 3  # holdings were checked for an OCO after those


def test_a_round_trip_missing_from_the_journal_counts_as_lost() -> None:
    driver()  # puts scripts/ on the path for its checks module
    checks = sys.modules["chaos_venue_checks"]
    trips = [("ETHUSDT", 1_000, 40_000), ("ETHUSDT", 50_000, 90_000), ("SOLUSDT", 60_000, -1)]
    counts, strays = checks._match(trips, [{"symbol": "ETHUSDT", "entry_time_ms": 1_050},
                                          {"symbol": "ETHUSDT", "entry_time_ms": 1_020},
                                          {"symbol": "SOLUSDT", "entry_time_ms": 10_000}])
    assert counts == {("ETHUSDT", 1_000): 2}  # journaled twice
    assert len(strays) == 1  # no SOLUSDT round trip near 10 s
    assert ("ETHUSDT", 50_000) not in counts  # lost
