"""Reconciling with the account: quote balance, positions closed while away, orphans left alone."""

from __future__ import annotations

from decimal import Decimal

from tests.support.fakes import T0, FakeExchange, ManualClock, good, rules_for
from tests.support.harness import POLICY, THRESHOLDS
from tests.support.logs import Logs

from application.fills import FeeModel
from application.manage_positions import ManagePositions
from application.open_position import Opened, OpenPosition
from application.reconcile import Reconcile
from application.trading_config import ExecutionConfig, OrphanPolicy, RetryPolicy
from domain.orders import OcoRequest
from domain.position import CompletedTrade, ExitReason
from domain.signal import generate_signals
from domain.values import Side

D = Decimal
S, X = "ABCUSDT", "XYZUSDT"
RULES = {S: rules_for(S), X: rules_for(X), "BNBUSDT": rules_for("BNBUSDT")}
PRICES = {S: 1.0, X: 2.0, "BNBUSDT": 600.0}
RETRY = RetryPolicy(attempts=1)


Account = tuple[Reconcile, ManagePositions, FakeExchange, list[CompletedTrade]]


def account(policy: OrphanPolicy = OrphanPolicy.LEAVE, **held: str) -> Account:
    clock = ManualClock()
    exchange = FakeExchange(RULES, {"USDT": "100", **held}, {s: repr(p) for s, p in PRICES.items()},
                            now_ms=clock.now_ms)
    closed: list[CompletedTrade] = []
    manager = ManagePositions(exchange, clock, FeeModel(0.001, 0.001), RETRY, closed.append)
    manager.set_rules(RULES)
    reconcile = Reconcile(exchange, clock, manager, RETRY, orphan_policy=policy, mode="live")
    return reconcile, manager, exchange, closed


async def test_an_orphan_is_reported_once_and_left_untouched_by_default(logs: Logs) -> None:
    reconcile, _, exchange, _ = account(XYZ="12.5", BNB="0.05")
    report = await reconcile(RULES, PRICES.get)
    assert [b.asset for b in report.orphans] == ["XYZ"]  # BNB pays fees: never an orphan
    assert report.quote_free == D("100") and exchange.requests == []
    assert len(logs.having("XYZ (~25.00 USDT) held without a position", "WARNING")) == 1
    await reconcile(RULES, PRICES.get)
    assert len(logs.having("held without a position", "WARNING")) == 1  # not repeated every sync


async def test_dust_and_unpriced_assets_are_not_orphans() -> None:
    reconcile, _, _, _ = account(XYZ="1.5", QQQ="100")  # 3 USDT of XYZ < min notional; QQQ has no pair
    assert (await reconcile(RULES, PRICES.get)).orphans == ()


async def test_sell_policy_sells_an_orphan_unless_an_open_order_covers_it() -> None:
    reconcile, _, exchange, _ = account(OrphanPolicy.SELL, XYZ="12.5")
    report = await reconcile(RULES, PRICES.get)
    assert report.sold_orphans == (X,)
    (sale,) = exchange.orders_placed()
    assert sale.side is Side.SELL and sale.quantity == D("12.5")

    reconcile, _, exchange, _ = account(OrphanPolicy.SELL, XYZ="12.5")
    await exchange.place_oco(OcoRequest(X, D("12.5"), D("2.2"), D("1.8"), D("1.79"), "earlier-run"))
    report = await reconcile(RULES, PRICES.get)
    assert report.sold_orphans == () and len(report.foreign_orders) == 2
    assert exchange.orders_placed() == []


async def test_a_position_whose_oco_filled_while_away_is_closed_at_the_real_fill() -> None:
    reconcile, manager, exchange, closed = account()
    opener = OpenPosition(exchange, ManualClock(), ExecutionConfig(retry=RETRY), POLICY,
                          FeeModel(0.001, 0.001), "live")
    outcome = await opener(generate_signals([good(S, T0)], {S: 1.0}, THRESHOLDS, ())[0], 20.0, RULES[S])
    assert isinstance(outcome, Opened)
    manager.add(outcome.position)
    exchange.set_price(S, "1.01")  # the take-profit filled while the bot was not looking
    report = await reconcile(RULES, PRICES.get)
    assert [t.exit_reason for t in closed] == [ExitReason.TP] and manager.positions == {}
    assert report.orphans == () and report.quote_free == exchange.free["USDT"]
