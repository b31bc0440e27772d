"""A whole trading loop wired on fakes, with small defaults a test overrides where it matters."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from tests.support.fakes import (
    T0,
    FakeExchange,
    FakeFeed,
    FakeModel,
    FakeScanner,
    InMemoryJournal,
    ManualClock,
    rules_for,
)
from tests.support.streaming_exchange import StreamingFakeExchange

from application.trading_config import ExecutionConfig, LoopConfig, RetryPolicy
from application.trading_loop import TradingLoop
from domain.position import ExitPolicy
from domain.risk import RiskBook, RiskLimits
from domain.rules import SymbolRules
from domain.signal import SignalThresholds
from ports.state_store import StateStore

SYMBOL = "ABCUSDT"

THRESHOLDS = SignalThresholds(min_probability=0.65, min_confidence=0.55, min_predicted_move_percent=0.2,
                              stop_loss_pct=0.004, take_profit_pct=0.003, max_position_pct=0.2,
                              min_expected_net_return_percent=0.0)
POLICY = ExitPolicy(take_profit_pct=0.003, stop_loss_pct=0.004, timeout_sec=300)
LIMITS = RiskLimits(initial_capital=100.0, max_position_pct=0.2, min_position_usdt=5.0,
                    max_loss_per_trade_pct=0.02, max_daily_loss_pct=0.10, max_drawdown_pct=0.25,
                    max_open_positions=1, max_trades_per_hour=20, max_trades_per_day=100)


def config(**overrides: Any) -> LoopConfig:
    base = LoopConfig(thresholds=THRESHOLDS, exit_policy=POLICY, mode="backtest", scan_interval_ms=2_000,
                      execution=ExecutionConfig(retry=RetryPolicy(attempts=3, first_delay_s=0.5)))
    return replace(base, **overrides)


@dataclass
class Harness:
    clock: ManualClock
    exchange: FakeExchange
    feed: FakeFeed
    model: FakeModel
    journal: InMemoryJournal
    scanner: FakeScanner
    risk: RiskBook
    loop: TradingLoop
    kills: list[str] = field(default_factory=list)

    def usdt(self) -> Decimal:
        return self.exchange.free["USDT"] + self.exchange.locked["USDT"]


def build(*, model: FakeModel | None = None, loop_config: LoopConfig | None = None,
          limits: RiskLimits = LIMITS, usdt: str = "100", rules: dict[str, SymbolRules] | None = None,
          prices: dict[str, str] | None = None, top: tuple[str, ...] = (SYMBOL,),
          balances: dict[str, str] | None = None, state: StateStore | None = None,
          streaming: bool = False) -> Harness:
    """`streaming`: the exchange also pushes order events (StreamingFakeExchange)."""
    clock = ManualClock(T0)
    kind = StreamingFakeExchange if streaming else FakeExchange
    exchange = kind(rules or {SYMBOL: rules_for(SYMBOL)}, {"USDT": usdt, **(balances or {})},
                    prices or {SYMBOL: "1.0"}, now_ms=clock.now_ms)
    feed = FakeFeed(clock=clock, exchange=exchange)
    journal = InMemoryJournal()
    scanner = FakeScanner(top)
    risk = RiskBook(limits)
    fake_model = model or FakeModel()
    kills: list[str] = []
    loop = TradingLoop(feed=feed, exchange=exchange, model=fake_model, clock=clock, journal=journal,
                       scanner=scanner, risk=risk, config=loop_config or config(),
                       on_kill_switch=kills.append, state=state)
    return Harness(clock, exchange, feed, fake_model, journal, scanner, risk, loop, kills)


def restart(h: Harness, state: StateStore, *, model: FakeModel | None = None,
            limits: RiskLimits | None = None,
            loop_config: LoopConfig | None = None) -> Harness:
    """A new process on the same account (exchange), clock, journal files and state store: a fresh risk
    book, scanner, feed and loop, as after a kill -9 and a restart."""
    feed = FakeFeed(clock=h.clock, exchange=h.exchange)
    scanner, risk, kills = FakeScanner(h.scanner.top), RiskBook(limits or h.risk.limits), list[str]()
    fake_model = model or FakeModel()
    loop = TradingLoop(feed=feed, exchange=h.exchange, model=fake_model, clock=h.clock, journal=h.journal,
                       scanner=scanner, risk=risk, config=loop_config or h.loop.config,
                       on_kill_switch=kills.append, state=state)
    return Harness(h.clock, h.exchange, feed, fake_model, h.journal, scanner, risk, loop, kills)


async def feed(h: Harness, *events: object) -> None:
    """Deliver events as the feed would (clock and market move first), one loop step each."""
    for event in events:
        h.feed.sync(event)
        await h.loop.step(event)  # type: ignore[arg-type]
