"""Bars that reach no working order skip the visit (registry.wake_prices): the engine must end exactly where
an engine that visits every bar ends, order by order and balance by balance, with jittered slippage (the
seeded draws must stay in step) and bars whose low or high sit on, or one float step from, an order price."""

from __future__ import annotations

import math
import random
from decimal import Decimal

from adapters.simulated.accounts import Accounts
from adapters.simulated.costs import SimulatorCosts
from adapters.simulated.matching import MatchingEngine
from adapters.simulated.symbol_rules import default_rules_for
from domain.orders import OcoRequest, OrderRequest, OrderType, TimeInForce
from domain.values import Candle, Side
from ports.errors import OrderRejected

SYMBOL = "ABCUSDT"
COSTS = SimulatorCosts(slippage_jitter_bps=Decimal(3), seed=11)


def engines() -> tuple[MatchingEngine, MatchingEngine]:
    rules = {SYMBOL: default_rules_for(SYMBOL, 1.2345)}
    made = []
    for _ in range(2):
        made.append(MatchingEngine(rules, Accounts({"USDT": Decimal(10_000), "ABC": Decimal(5_000)}), COSTS))
    always = made[1]
    always._registry.wake_prices = lambda symbol: (math.inf, -math.inf)  # type: ignore[method-assign]
    return made[0], always


def state(engine: MatchingEngine) -> tuple[object, ...]:
    return (tuple(engine.all_orders(SYMBOL)), engine.accounts.snapshot(), tuple(engine.trades),
            engine.stats())


def near(price: Decimal, rng: random.Random) -> float:
    """A bar edge on the order's price, one float step either side of it, or a little away."""
    exact = float(price)
    return rng.choice([exact, math.nextafter(exact, math.inf), math.nextafter(exact, -math.inf),
                       exact * 1.002, exact * 0.998])


def place_some(engine: MatchingEngine, rng: random.Random, step: int, last: float) -> list[Decimal]:
    """A few orders around `last`; returns their prices (the bar edges worth testing)."""
    tick = Decimal("0.0001")
    around = Decimal(repr(last)).quantize(tick)
    prices = []
    requests: list[OrderRequest | OcoRequest] = [
        OcoRequest(SYMBOL, Decimal(10), around + tick * rng.randint(5, 30),
                   around - tick * rng.randint(5, 30), None if rng.random() < 0.5 else around - tick * 40,
                   f"oco{step}"),
        OrderRequest(SYMBOL, Side.BUY, OrderType.LIMIT, f"lb{step}", Decimal(10),
                     price=around - tick * rng.randint(1, 30), time_in_force=TimeInForce.GTC),
        OrderRequest(SYMBOL, Side.SELL, OrderType.STOP_LOSS_LIMIT, f"sl{step}", Decimal(10),
                     price=around - tick * 45, stop_price=around - tick * rng.randint(5, 40),
                     time_in_force=TimeInForce.GTC)]
    for request in requests:
        try:
            if isinstance(request, OcoRequest):
                engine.place_oco(request, step * 60_000)
                prices += [request.take_profit_price, request.stop_price]
            else:
                engine.place_order(request, step * 60_000)
                prices += [p for p in (request.price, request.stop_price) if p is not None]
        except OrderRejected:
            pass
    return prices


def test_a_replay_that_skips_quiet_bars_ends_exactly_where_one_visiting_every_bar_ends() -> None:
    quick, always = engines()
    rng = random.Random(5)
    last = 1.2345
    prices: list[Decimal] = []
    for step in range(1, 400):
        if step % 7 == 1:
            rolled = rng.getstate()
            prices = place_some(quick, rng, step, last)
            rng.setstate(rolled)
            place_some(always, rng, step, last)
        wander = last * (1 + rng.uniform(-2e-3, 2e-3))
        edge = near(rng.choice(prices), rng) if prices and rng.random() < 0.7 else wander
        low = min(edge, last * (1 - rng.uniform(0, 1e-3)))
        high = max(edge, last * (1 + rng.uniform(0, 1e-3)))
        close = rng.uniform(low, high)
        bar = Candle(SYMBOL, step * 60_000, min(max(last, low), high), high, low, close, 100.0)
        for engine in (quick, always):
            engine.observe_candle(bar)
        last = close
        assert state(quick) == state(always), step
    assert sum(1 for o in quick.all_orders(SYMBOL) if o.executed_quantity > 0) > 20  # the bars did fill


def test_a_quiet_bar_moves_nothing_but_the_last_price() -> None:
    quick, _ = engines()
    quick.place_oco(OcoRequest(SYMBOL, Decimal(10), Decimal("1.2400"), Decimal("1.2300"), None, "o"), 0)
    before = state(quick)
    quick.observe_candle(Candle(SYMBOL, 0, 1.2350, 1.2399, 1.2301, 1.2351, 5.0))
    assert state(quick) == before
    assert quick.market(SYMBOL).last_price == Decimal("1.2351")
    quick.observe_candle(Candle(SYMBOL, 60_000, 1.2350, 1.2401, 1.2301, 1.2351, 5.0))
    assert [o.status.value for o in quick.all_orders(SYMBOL)] == ["EXPIRED", "FILLED"]
