"""Shared pieces for the simulator tests: a manual clock, real BTCUSDT rules and depth, small builders."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from tests.support.clocks import ManualClock

from adapters.simulated.accounts import Accounts
from adapters.simulated.costs import SimulatorCosts
from adapters.simulated.matching import MatchingEngine
from adapters.simulated.symbol_rules import default_rules_for, rules_from_exchange_info
from domain.rules import SymbolRules
from domain.values import OrderBook

D = Decimal


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def make_clock() -> type[ManualClock]:
    return ManualClock


@pytest.fixture(scope="session")
def real_rules(recorded: Path) -> dict[str, SymbolRules]:
    """BTCUSDT and ETHUSDT from a real exchangeInfo (2021: MIN_NOTIONAL 10, no STOP_LOSS type)."""
    path = recorded / "nautilus_trader" / "spot_http_json" / "http_spot_market_exchange_info.json"
    return rules_from_exchange_info(json.loads(path.read_text()))


@pytest.fixture(scope="session")
def real_book(recorded: Path) -> OrderBook:
    """A real 10-level BTCUSDT depth snapshot (asks from 60650.01)."""
    path = recorded / "nautilus_trader" / "spot_http_json" / "http_spot_market_depth.json"
    depth = json.loads(path.read_text())
    return OrderBook("BTCUSDT", tuple((float(p), float(q)) for p, q in depth["bids"]),
                     tuple((float(p), float(q)) for p, q in depth["asks"]), time_ms=1_000)


@pytest.fixture
def test_rules() -> dict[str, SymbolRules]:
    """A synthetic pair at 100 USDT: tick 0.01, step 0.001, minNotional 5, every order type."""
    return {"TESTUSDT": default_rules_for("TESTUSDT", 100.0), "BNBUSDT": default_rules_for("BNBUSDT", 300.0)}


def book(bids: list[tuple[float, float]], asks: list[tuple[float, float]], *, symbol: str = "TESTUSDT",
         time_ms: int = 1_000) -> OrderBook:
    return OrderBook(symbol, tuple(bids), tuple(asks), time_ms=time_ms)


def deep_book(mid: float = 100.0, *, symbol: str = "TESTUSDT", time_ms: int = 1_000) -> OrderBook:
    """Two-sided book one tick around `mid`, 1,000 units a level, five levels a side."""
    return book([(round(mid - 0.01 * (i + 1), 2), 1000.0) for i in range(5)],
                [(round(mid + 0.01 * (i + 1), 2), 1000.0) for i in range(5)], symbol=symbol, time_ms=time_ms)


@pytest.fixture
def make_book() -> Callable[..., OrderBook]:
    return book


@pytest.fixture
def make_deep_book() -> Callable[..., OrderBook]:
    return deep_book


EngineFactory = Callable[..., MatchingEngine]


@pytest.fixture
def make_engine(test_rules: dict[str, SymbolRules]) -> EngineFactory:
    def build(balances: dict[str, Decimal] | None = None, costs: SimulatorCosts | None = None,
              rules: dict[str, SymbolRules] | None = None, **kwargs: object) -> MatchingEngine:
        accounts = Accounts(balances if balances is not None else {"USDT": D(1000)})
        return MatchingEngine(rules or test_rules, accounts, costs or SimulatorCosts(), **kwargs)  # type: ignore[arg-type]
    return build
