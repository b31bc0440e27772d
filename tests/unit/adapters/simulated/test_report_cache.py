"""An order's report is built once per change and kept: after every kind of change the kept report is
the one a fresh build from the order's fields gives (no change of a reported field goes unnoticed)."""

from __future__ import annotations

import random
from collections.abc import Callable
from decimal import Decimal

from adapters.simulated.matching import MatchingEngine
from adapters.simulated.order_state import SimOrder
from domain.orders import OcoRequest, OrderReport, OrderRequest, OrderType, TimeInForce
from domain.values import Candle, Side, Trade
from ports.errors import OrderNotFound, OrderRejected

D = Decimal


def _fresh(order: SimOrder) -> OrderReport:
    return OrderReport(order.symbol, order.order_id, order.client_order_id, order.side, order.type,
                       order.status, order.quantity, order.executed, order.cumulative_quote, order.price,
                       order.stop_price, order.time_ms, order.update_time_ms or order.time_ms,
                       order.order_list_id, tuple(order.fills))


def _every_kept_report_is_fresh(engine: MatchingEngine) -> None:
    for order in engine._registry._orders.values():
        assert order.report() == _fresh(order), order
    for order_list in engine._registry._lists.values():
        assert order_list.report().orders == tuple(
            _fresh(o) for o in sorted(order_list.legs, key=lambda o: o.order_id))
        assert order_list.report().status is order_list.status


def test_kept_reports_follow_fills_cancels_expiries_and_resizes(
        make_engine: Callable[..., MatchingEngine]) -> None:
    engine: MatchingEngine = make_engine({"USDT": D(100_000), "TEST": D(50)})
    rng = random.Random(3)
    now, price = 1_000, 100.0
    engine.observe_trade(Trade("TESTUSDT", price, 1.0, now, buyer_is_maker=False))
    for step in range(400):
        now += 60_000
        price = round(max(50.0, price * (1 + rng.uniform(-0.01, 0.01))), 2)
        action = rng.randrange(8)
        try:
            if action == 0:  # a quoteOrderQty market buy: resized once planned
                engine.place_order(OrderRequest("TESTUSDT", Side.BUY, OrderType.MARKET, f"m{step}",
                                                quote_quantity=D(rng.randint(10, 300))), now)
            elif action == 1:
                engine.place_order(OrderRequest("TESTUSDT", Side.SELL, OrderType.MARKET, f"s{step}",
                                                quantity=D("0.5")), now)
            elif action == 2:  # a resting limit, filled in parts by later trades
                engine.place_order(OrderRequest("TESTUSDT", rng.choice((Side.BUY, Side.SELL)),
                                                OrderType.LIMIT, f"l{step}", quantity=D("2.5"),
                                                price=D(str(round(price * rng.uniform(0.99, 1.01), 2))),
                                                time_in_force=TimeInForce.GTC), now)
            elif action == 3:
                limit = None if rng.random() < 0.5 else D(str(round(price * 0.985, 2)))
                engine.place_oco(OcoRequest("TESTUSDT", D("1.5"), D(str(round(price * 1.01, 2))),
                                            D(str(round(price * 0.99, 2))), limit, f"o{step}"), now)
            elif action == 4:  # cancel something open (a leg cancels its whole list)
                opened = engine.open_orders("TESTUSDT")
                if opened:
                    engine.cancel_order("TESTUSDT", order_id=rng.choice(opened).order_id, now_ms=now)
            elif action == 5:
                engine.expire_open_orders("TESTUSDT", now) if rng.random() < 0.1 else None
            elif action == 6:
                engine.observe_trade(Trade("TESTUSDT", price, rng.uniform(0.1, 3.0), now,
                                           buyer_is_maker=rng.random() < 0.5))
            else:
                high, low = price * (1 + rng.uniform(0, 0.02)), price * (1 - rng.uniform(0, 0.02))
                engine.observe_candle(Candle("TESTUSDT", now - 60_000, price, high, low, price, 10.0))
        except (OrderRejected, OrderNotFound):
            pass
        _every_kept_report_is_fresh(engine)
