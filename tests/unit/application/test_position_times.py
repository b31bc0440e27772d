"""A position's entry and exit times come from one clock, the trading clock (issue 13 item 7).

Paper against the local venue showed exits before entries (`after -163s`): the entry was stamped with
the trading clock, the exit with the time of the market event a simulated OCO leg filled on, and events
queued behind a busy bot are older than the trading clock (at x600 a tenth of a second is a minute).
Against Binance the same mix put the server's clock next to the bot's: a skew moved every timeout.
"""

from __future__ import annotations

from decimal import Decimal

from tests.support.desk import RETRY, RULES, S, signal
from tests.support.fakes import T0, FakeExchange, ManualClock
from tests.support.harness import POLICY

from adapters.simulated.costs import SimulatorCosts
from adapters.simulated.exchange import SimulatedExchange
from application.fills import FeeModel
from application.manage_positions import ManagePositions
from application.open_position import Opened, OpenPosition
from application.trading_config import ExecutionConfig
from domain.position import CompletedTrade, ExitReason
from domain.values import BookTop, Trade
from ports.exchange import Exchange

SKEW_MS = 163_000
FEES = FeeModel(0.001, 0.001)


async def open_and_manage(exchange: Exchange,
                          clock: ManualClock) -> tuple[ManagePositions, list[CompletedTrade]]:
    closed: list[CompletedTrade] = []
    manager = ManagePositions(exchange, clock, FEES, RETRY, closed.append, poll_interval_ms=1_000)
    manager.set_rules({S: RULES})
    opener = OpenPosition(exchange, clock, ExecutionConfig(retry=RETRY), POLICY, FEES, "paper", manager.dust)
    outcome = await opener(signal(time_ms=clock.now_ms()), 20.0, RULES)
    assert isinstance(outcome, Opened)
    manager.add(outcome.position)
    return manager, closed


async def test_a_leg_filled_on_a_late_market_event_still_exits_after_the_entry() -> None:
    clock = ManualClock()
    exchange = SimulatedExchange({S: RULES}, {"USDT": Decimal(100)}, clock, SimulatorCosts(latency_ms=0))
    exchange.observe_book(BookTop(S, 1.0, 1e6, 1.0001, 1e6, T0))
    manager, closed = await open_and_manage(exchange, clock)
    entered_ms = clock.now_ms()
    # The bot lags its stream: the next event it hands the exchange is older than its clock, and it
    # trades through the take-profit (the simulated leg fills at that event's time).
    exchange.observe_trade(Trade(S, 1.01, 1e6, entered_ms - SKEW_MS, buyer_is_maker=False))
    clock.now += 2_000
    await manager.on_tick(clock.now)
    (trade,) = closed
    assert trade.exit_reason is ExitReason.TP
    assert (trade.entry_time_ms, trade.exit_time_ms) == (entered_ms, clock.now)
    assert trade.duration_sec == 2.0


async def test_an_exchange_clock_ahead_of_the_bot_moves_neither_the_timeout_nor_the_duration() -> None:
    clock = ManualClock()
    exchange = FakeExchange({S: RULES}, {"USDT": "100"}, {S: "1.0"},
                            now_ms=lambda: clock.now_ms() + SKEW_MS)  # its transactTime is 163 s ahead
    manager, closed = await open_and_manage(exchange, clock)
    entered_ms = clock.now_ms()
    clock.now = entered_ms + POLICY.timeout_sec * 1000 - 1
    await manager.on_tick(clock.now)
    assert closed == []  # not one millisecond early
    clock.now += 1
    await manager.on_tick(clock.now)
    (trade,) = closed
    assert trade.exit_reason is ExitReason.TIMEOUT
    assert trade.entry_time_ms == entered_ms and trade.duration_sec == POLICY.timeout_sec


async def test_an_exchange_clock_behind_the_bot_never_times_out_early() -> None:
    clock = ManualClock()
    exchange = FakeExchange({S: RULES}, {"USDT": "100"}, {S: "1.0"}, now_ms=lambda: clock.now_ms() - SKEW_MS)
    manager, closed = await open_and_manage(exchange, clock)
    clock.now += (POLICY.timeout_sec - SKEW_MS // 1000) * 1000 + 1_000
    await manager.on_tick(clock.now)
    assert closed == [] and manager.held == {S}
