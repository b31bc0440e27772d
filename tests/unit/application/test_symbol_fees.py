"""Each symbol's own fees in the trading core: asked of the exchange, the configured table as fallback,
and the EV gate's decision on a zero-fee pair."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from tests.support.fake_exchange import FakeExchange
from tests.support.fakes import T0, FakeModel, good, poor, rules_for, trade_at
from tests.support.harness import SYMBOL, THRESHOLDS, build, config, feed
from tests.support.logs import Logs

from application.fills import FeeModel
from application.market_memory import MarketMemory
from application.score_candidates import ScoreCandidates
from application.symbol_fees import SymbolFees
from application.trading_config import ExecutionConfig
from domain.fee_table import FeeTable
from domain.fees import FeeSchedule
from domain.orders import OrderReport, OrderStatus, OrderType
from domain.signal import Prediction
from domain.values import Side
from ports.errors import ExchangeUnavailable

from .test_score_candidates import WARMUP, memory_with

CONFIGURED = FeeTable(FeeSchedule(0.001, 0.001))
ZERO = FeeSchedule(0.0, 0.0)


class FakeCommissions:
    def __init__(self, rates: dict[str, FeeSchedule], *, down: bool = False) -> None:
        self.rates, self.down = rates, down
        self.asked: list[str] = []

    async def commission(self, symbol: str) -> FeeSchedule:
        self.asked.append(symbol)
        if self.down:
            raise ExchangeUnavailable("Binance query_commission_rates timed out after 10.0 s")
        return self.rates.get(symbol, FeeSchedule(0.001, 0.001))


async def test_the_exchange_rates_replace_the_configured_ones_symbol_by_symbol() -> None:
    fees = SymbolFees(CONFIGURED, FakeCommissions({"BTCFDUSD": ZERO}))
    await fees.load(["BTCFDUSD", "ETHUSDT"])
    assert (fees.taker("BTCFDUSD"), fees.maker("BTCFDUSD")) == (0.0, 0.0)
    assert fees.taker("ETHUSDT") == 0.001
    assert fees.ev_shift_pct("BTCFDUSD") == pytest.approx(0.2) and fees.ev_shift_pct("ETHUSDT") == 0.0


async def test_without_the_exchange_the_configured_rates_stay_and_one_line_says_so(logs: Logs) -> None:
    configured = FeeTable(FeeSchedule(0.001, 0.001), {"BTCFDUSD": ZERO})
    source, now = FakeCommissions({}, down=True), [0]
    fees = SymbolFees(configured, source, now_ms=lambda: now[0], retry_ms=60_000)
    await fees.load(["BTCFDUSD", "ETHUSDT"])
    await fees.load(["ETHUSDT"])
    assert fees.taker("BTCFDUSD") == 0.0 and fees.taker("ETHUSDT") == 0.001
    said = logs.having("Commission rates unavailable", "WARNING")
    assert len(said) == 1 and "configured fee table" in said[0]["message"]
    assert source.asked == ["BTCFDUSD", "ETHUSDT"]  # not asked again at once: the endpoint costs weight
    source.down, now[0] = False, 60_000
    await fees.load(["ETHUSDT"])
    assert source.asked[-1] == "ETHUSDT"


def close_call(symbol: str, time_ms: int) -> Prediction:
    """Worth trading only without fees: -0.1% net at the standard 0.2% round trip."""
    return replace(good(symbol, time_ms), expected_net_return_pct=-0.1)


async def test_a_zero_fee_pair_opens_the_ev_gate_that_stays_closed_on_a_standard_pair() -> None:
    memory: MarketMemory = memory_with("BTCFDUSD", "ETHUSDT")
    fees = SymbolFees(CONFIGURED, FakeCommissions({"BTCFDUSD": ZERO}))
    await fees.load(["BTCFDUSD", "ETHUSDT"])
    score = ScoreCandidates(memory, FakeModel(close_call), THRESHOLDS, WARMUP, ev_shift=fees.ev_shift_pct)
    scored = score(["BTCFDUSD", "ETHUSDT"], (), T0)
    assert [s.symbol for s in scored.signals] == ["BTCFDUSD"]
    assert scored.signals[0].prediction.expected_net_return_pct == pytest.approx(0.1)
    at_one_rate = ScoreCandidates(memory, FakeModel(close_call), THRESHOLDS, WARMUP)
    assert at_one_rate(["BTCFDUSD", "ETHUSDT"], (), T0).signals == []


async def test_an_order_without_fills_is_priced_at_its_symbols_rate() -> None:
    fees = SymbolFees(CONFIGURED, FakeCommissions({"BTCFDUSD": ZERO}))
    await fees.load(["BTCFDUSD"])
    model = FeeModel(0.001, 0.001, per_symbol=fees)

    def sold(symbol: str) -> OrderReport:
        return OrderReport(symbol, 1, "c", Side.SELL, OrderType.MARKET, OrderStatus.FILLED, Decimal(1),
                           Decimal(1), Decimal(100))
    assert model.fee_usdt(sold("BTCFDUSD"), rules_for("BTCFDUSD")) == 0.0
    assert model.fee_usdt(sold("ETHUSDT"), rules_for("ETHUSDT")) == pytest.approx(0.1)


async def test_in_paper_the_loop_trades_a_pair_the_exchange_says_is_free(monkeypatch: pytest.MonkeyPatch,
                                                                         logs: Logs) -> None:
    """The model's -0.05% after the default fees is +0.15% on a pair that pays none: the loop asks the
    exchange (paper and live; a backtest's simulator already charges the configured table)."""
    async def commission(self: FakeExchange, symbol: str) -> FeeSchedule:
        return ZERO

    monkeypatch.setattr(FakeExchange, "commission", commission, raising=False)
    h = build(model=FakeModel(poor), loop_config=config(mode="paper"))
    await h.loop.start()
    await feed(h, trade_at(SYMBOL, 1.0, T0 + 100))
    assert SYMBOL in h.loop.positions.positions
    assert logs.having(f"Fees on {SYMBOL}: taker 0.0000%")
    await h.loop.stop()


async def test_in_a_backtest_the_configured_table_decides() -> None:
    table = FeeTable(FeeSchedule(0.001, 0.001), {SYMBOL: ZERO})
    h = build(model=FakeModel(poor), loop_config=config(execution=ExecutionConfig(fees=table)))
    await h.loop.start()
    await feed(h, trade_at(SYMBOL, 1.0, T0 + 100))
    assert SYMBOL in h.loop.positions.positions
    await h.loop.stop()
    plain = build(model=FakeModel(poor))
    await plain.loop.start()
    await feed(plain, trade_at(SYMBOL, 1.0, T0 + 100))
    assert plain.loop.positions.positions == {} and plain.exchange.orders_placed() == []
    await plain.loop.stop()
