"""Opening and managing positions on a fake exchange: an OpenPosition (`setup`), the signals it gets, the
pairs it trades, and a `Desk` (one position opened the real way, the manager watching it)."""

from __future__ import annotations

from decimal import Decimal

from tests.support.fakes import T0, FakeExchange, ManualClock, good, rules_for
from tests.support.harness import POLICY, THRESHOLDS

from application.fills import FeeModel
from application.holdings import DustLedger
from application.manage_positions import ManagePositions
from application.open_position import Opened, OpenPosition
from application.trading_config import ExecutionConfig, RetryPolicy
from domain.position import CompletedTrade, ExitPolicy
from domain.rules import SymbolRules
from domain.signal import SignalThresholds, TradeSignal, generate_signals

D = Decimal
S = "ABCUSDT"
RULES = rules_for(S)
RETRY = RetryPolicy(attempts=2, first_delay_s=0.5)


def signal(price: float = 1.0, time_ms: int = T0, symbol: str = S) -> TradeSignal:
    return generate_signals([good(symbol, time_ms)], {symbol: price}, THRESHOLDS, held=())[0]


def setup(usdt: str = "100", rules: SymbolRules = RULES, price: str = "1.0", dust: DustLedger | None = None,
          **execution: object) -> tuple[OpenPosition, FakeExchange, ManualClock]:
    clock = ManualClock()
    exchange = FakeExchange({rules.symbol: rules}, {"USDT": usdt}, {rules.symbol: price}, now_ms=clock.now_ms)
    config = ExecutionConfig(retry=RetryPolicy(attempts=3), **execution)  # type: ignore[arg-type]
    fees = FeeModel(0.001, 0.001, price_of=lambda asset: 600.0 if asset == "BNB" else None)
    return OpenPosition(exchange, clock, config, POLICY, fees, "paper", dust), exchange, clock


BTC = SymbolRules("BTCUSDT", "BTC", "USDT", tick_size=D("0.01"), min_price=D("0.01"), step_size=D("0.00001"),
                  min_qty=D("0.00001"), market_step_size=D("0.00001"), market_min_qty=D("0.00001"),
                  min_notional=D("5"), order_types=RULES.order_types)


class Desk:
    """A fake account with one position opened the real way, and the manager watching it."""

    def __init__(self, policy: ExitPolicy = POLICY, thresholds: SignalThresholds = THRESHOLDS, *,
                 rules: SymbolRules = RULES, maker_fee: float = 0.001,
                 maker_take_profit: bool = True) -> None:
        self.clock = ManualClock()
        self.exchange = FakeExchange({S: rules}, {"USDT": "100"}, {S: "1.0"}, now_ms=self.clock.now_ms,
                                     maker_fee_rate=repr(maker_fee))
        self.fees = FeeModel(0.001, maker_fee)
        self.rules, self.maker_take_profit = rules, maker_take_profit
        self.closed: list[CompletedTrade] = []
        self.manager = ManagePositions(self.exchange, self.clock, self.fees, RETRY, self.closed.append,
                                       poll_interval_ms=1_000, mode="paper")
        self.manager.set_rules({S: rules})
        self.policy, self.thresholds = policy, thresholds

    async def open(self) -> None:
        execution = ExecutionConfig(retry=RETRY, maker_take_profit=self.maker_take_profit)
        opener = OpenPosition(self.exchange, self.clock, execution, self.policy, self.fees, "paper",
                              self.manager.dust)
        signal = generate_signals([good(S, T0)], {S: 1.0}, self.thresholds, held=())[0]
        outcome = await opener(signal, 20.0, self.rules)
        assert isinstance(outcome, Opened)
        self.manager.add(outcome.position)

    async def price(self, price: float, after_ms: int) -> None:
        self.clock.now += after_ms
        self.exchange.set_price(S, repr(price))
        await self.manager.on_price(S, price, price, price, self.clock.now)

    def cash_gain(self) -> float:
        return float(self.exchange.free["USDT"] - 100)
