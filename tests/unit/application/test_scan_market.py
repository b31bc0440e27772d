from __future__ import annotations

from collections.abc import Sequence

from tests.support.clocks import ManualClock

from application.scan_market import ScanMarket
from bootstrap.mapping import scanner_rules_from
from bootstrap.settings_model import AlertSettings, ScannerSettings, Settings
from domain.market_events import (
    BookTopUpdated,
    BookUpdated,
    CandleUpdated,
    FeedReconnected,
    StreamStale,
    TickersUpdated,
)
from domain.scanner_rules import AlertType, ScannerAlert, ScannerRules
from domain.values import BookTop, Candle, OrderBook, Ticker
from ports.errors import ExchangeUnavailable, RateLimited

T0 = 1_700_000_000_000


class FakeUniverse:
    def __init__(self, *answers: Sequence[str] | Exception) -> None:
        self.answers = list(answers)
        self.calls = 0

    async def tradable_symbols(self) -> Sequence[str]:
        self.calls += 1
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def use_case(universe: FakeUniverse, clock: ManualClock,
             alerts: list[ScannerAlert] | None = None) -> ScanMarket:
    return ScanMarket(ScannerRules(min_volume_24h=0.0, breakout_distance_pct=1.0), universe, clock,
                      on_alert=None if alerts is None else alerts.append, refresh_ms=3_600_000,
                      retry_ms=60_000)


async def test_universe_is_refreshed_hourly() -> None:
    clock, universe = ManualClock(T0), FakeUniverse(["AUSDT", "BUSDT"], ["BUSDT", "CUSDT"])
    scan = use_case(universe, clock)
    assert await scan.refresh_universe() == ["AUSDT", "BUSDT"]
    clock.now += 3_599_999
    assert await scan.refresh_universe() is None and universe.calls == 1
    clock.now += 1
    assert await scan.refresh_universe() == ["BUSDT", "CUSDT"]
    assert scan.symbols == ("BUSDT", "CUSDT")


async def test_failed_or_empty_refresh_keeps_the_universe_and_retries_sooner() -> None:
    clock = ManualClock(T0)
    universe = FakeUniverse(["AUSDT"], ExchangeUnavailable("down"), [], RateLimited("slow", retry_after=5),
                            ["BUSDT"])
    scan = use_case(universe, clock)
    await scan.refresh_universe()
    clock.now += 3_600_000
    for _ in range(3):  # down, empty, rate limited: each retried after retry_ms, not after an hour
        assert await scan.refresh_universe() is None
        assert scan.symbols == ("AUSDT",)
        clock.now += 59_999
        assert await scan.refresh_universe() is None
        clock.now += 1
    assert universe.calls == 4
    assert await scan.refresh_universe() == ["BUSDT"]
    assert universe.calls == 5


async def test_events_reach_the_scanner_and_alerts_are_forwarded() -> None:
    clock, alerts = ManualClock(T0), list[ScannerAlert]()
    scan = use_case(FakeUniverse(["AUSDT", "BUSDT"]), clock, alerts)
    await scan.refresh_universe()
    scan.on_event(BookTopUpdated(BookTop("AUSDT", 99.99, 1.0, 100.01, 1.0)))
    scan.on_event(BookUpdated(OrderBook("BUSDT", ((49.99, 1.0),), ((50.01, 1.0),))))
    scan.on_event(CandleUpdated(Candle("AUSDT", T0 - 60_000, 100.0, 100.0, 100.0, 100.0, 5.0, 500.0)))
    scan.on_event(TickersUpdated((Ticker("AUSDT", T0, 100.0, 100.0, 100.5, 90.0, 1.0, 1e7),
                                  Ticker("BUSDT", T0, 50.0, 50.0, 80.0, 40.0, 1.0, 1e7)), T0))
    scan.on_event(FeedReconnected(T0, 0))
    a, b = scan.scanner.state("AUSDT"), scan.scanner.state("BUSDT")
    assert a is not None and b is not None
    assert a.bid_price == 99.99 and b.ask_price == 50.01 and a.volume_1m == 500.0
    assert [(x.symbol, x.alert_type) for x in alerts] == [("AUSDT", AlertType.BREAKOUT)]
    assert [c.symbol for c in scan.candidates(5)] == ["AUSDT", "BUSDT"]
    scan.on_event(StreamStale("AUSDT", 30_000, T0))
    stale = scan.scanner.state("AUSDT")
    assert stale is not None and stale.bid_price != stale.bid_price  # NaN: the book is unknown again


def test_rules_follow_the_settings() -> None:
    alerts = AlertSettings(volume_spike_ratio=4.0, momentum_threshold_pct=0.2, breakout_distance_pct=0.3,
                           reversal_drop_pct=1.5)
    settings = Settings(scanner=ScannerSettings(min_volume_24h=5e6, max_spread_pct=0.08, alerts=alerts))
    assert scanner_rules_from(settings) == ScannerRules(
        min_volume_24h=5e6, max_spread_pct=0.08, volume_spike_ratio=4.0, momentum_threshold_pct=0.2,
        breakout_distance_pct=0.3, reversal_drop_pct=1.5)


async def test_unranked_candidates_follow_the_universe_order() -> None:
    """scanner.enabled: false: no quick score, the universe's pairs that have a price, in its order."""
    clock = ManualClock(T0)
    rules = ScannerRules(min_volume_24h=0.0, breakout_distance_pct=1.0)
    ranked = ScanMarket(rules, FakeUniverse(["AUSDT", "CUSDT", "BUSDT"]), clock)
    unranked = ScanMarket(rules, FakeUniverse(["AUSDT", "CUSDT", "BUSDT"]), clock, ranked=False)
    frame = TickersUpdated((Ticker("BUSDT", T0, 50.0, 50.0, 50.1, 40.0, 1.0, 1e7),
                            Ticker("CUSDT", T0, 10.0, 10.0, 20.0, 9.0, 1.0, 1e7)), T0)
    for scan in (ranked, unranked):
        await scan.refresh_universe()
        scan.on_event(frame)
    assert [c.symbol for c in ranked.candidates(1)] == ["BUSDT"]  # at its 24 h high: the better score
    assert [c.symbol for c in unranked.candidates(5)] == ["CUSDT", "BUSDT"]  # AUSDT has no price yet
    assert [c.symbol for c in unranked.candidates(1)] == ["CUSDT"]
