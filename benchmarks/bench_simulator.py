"""Simulator benchmark: orders per second through the matching engine (adapters/simulated/matching.py).

Four workloads on a synthetic pair around 100 USDT (default_rules_for), each run N times:
  market:  a fresh 20-level book, then a MARKET buy by quote amount walking 3 levels (paper-mode entry)
  maker:   LIMIT_MAKER buy at the bid, then cancel (a maker entry that times out)
  oco:     MARKET buy, OCO on what was bought, then one 1m bar that fills the take-profit (a backtest trade)
  observe: a 20-level book update with 10 resting orders that do not fill (the paper-mode hot path)
Wall and CPU time per operation are printed (the machine is shared: CPU time is the steadier figure).

Usage: .venv/bin/python benchmarks/bench_simulator.py [--n 5000]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from adapters.simulated.accounts import Accounts
from adapters.simulated.costs import SimulatorCosts
from adapters.simulated.matching import MatchingEngine
from adapters.simulated.symbol_rules import default_rules_for
from domain.orders import OcoRequest, OrderRequest, OrderType
from domain.values import Candle, OrderBook, Side

D = Decimal
SYMBOL = "TESTUSDT"


def book(time_ms: int, mid: float = 100.0) -> OrderBook:
    return OrderBook(SYMBOL, tuple((round(mid - 0.01 * (i + 1), 2), 3.0) for i in range(20)),
                     tuple((round(mid + 0.01 * (i + 1), 2), 3.0) for i in range(20)), time_ms=time_ms)


def engine() -> MatchingEngine:
    return MatchingEngine({SYMBOL: default_rules_for(SYMBOL, 100.0)}, Accounts({"USDT": D(10) ** 12}),
                          SimulatorCosts())


def market(n: int) -> None:
    sim = engine()
    for i in range(n):
        sim.observe_book(book(i))
        sim.place_order(OrderRequest(SYMBOL, Side.BUY, OrderType.MARKET, f"m{i}", quote_quantity=D(800)), i)


def maker(n: int) -> None:
    sim = engine()
    sim.observe_book(book(0))
    for i in range(n):
        order = sim.place_order(OrderRequest(SYMBOL, Side.BUY, OrderType.LIMIT_MAKER, f"k{i}", D(1),
                                             price=D("99.99")), i)
        sim.cancel_order(SYMBOL, order_id=order.order_id, now_ms=i)


def oco(n: int) -> None:
    sim = engine()
    for i in range(n):
        t = i * 120_000
        sim.observe_book(book(t))
        buy = sim.place_order(OrderRequest(SYMBOL, Side.BUY, OrderType.MARKET, f"b{i}", D(2)), t)
        qty = buy.executed_quantity - buy.commission_in("TEST")
        qty = qty.quantize(D("0.001"), rounding="ROUND_DOWN")
        sim.place_oco(OcoRequest(SYMBOL, qty, D("100.30"), D("99.60"), D("99.50"), f"l{i}"), t)
        sim.observe_candle(Candle(SYMBOL, t + 60_000, 100.0, 100.5, 99.9, 100.4, 50.0))


def observe(n: int) -> None:
    sim = engine()
    sim.observe_book(book(0))
    for i in range(10):
        sim.place_order(OrderRequest(SYMBOL, Side.BUY, OrderType.LIMIT_MAKER, f"r{i}", D(1),
                                     price=D("99.00") - D(i) / 100), 0)
    for i in range(n):
        sim.observe_book(book(i + 1, mid=100.0 + (i % 7) * 0.01))


def measure(name: str, run: Callable[[int], None], n: int) -> None:
    wall, cpu = time.perf_counter(), time.process_time()
    run(n)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"{name:8s} {n:7d} ops  {wall / n * 1e6:8.1f} us/op wall  {cpu / n * 1e6:8.1f} us/op cpu  "
          f"{n / cpu:9.0f} ops/s cpu")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5000)
    n = parser.parse_args().n
    for name, run in (("market", market), ("maker", maker), ("oco", oco), ("observe", observe)):
        measure(name, run, n)


if __name__ == "__main__":
    main()
