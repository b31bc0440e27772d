"""The Exchange port's contract: behaviour every adapter must show (see conftest.py for the adapters).

Quantities and prices are derived from the adapter's own rules, balances and market, never hard-coded,
so the same test holds on the simulator, the local venue and the real testnet.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from domain.orders import ListStatus, OcoRequest, OrderRequest, OrderStatus, OrderType, TimeInForce
from domain.rules import SymbolRules
from domain.values import Side
from ports.errors import InsufficientBalance, OrderNotFound, OrderRejected
from ports.exchange import CommissionRates

D = Decimal
NO_SUCH_ID = 9_000_000_000_000


def cid(tag: str) -> str:
    return f"ct-{tag}-{uuid.uuid4().hex[:12]}"


async def rules_of(env) -> SymbolRules:
    return (await env.exchange.symbol_rules())[env.symbol]


async def free(env, asset: str) -> Decimal:
    balance = (await env.exchange.balances()).get(asset)
    return balance.free if balance else D(0)


async def locked(env, asset: str) -> Decimal:
    balance = (await env.exchange.balances()).get(asset)
    return balance.locked if balance else D(0)


def price_at(rules: SymbolRules, reference: Decimal, factor: str) -> Decimal:
    return rules.round_price(reference * D(factor), direction="down")


def quantity_for(rules: SymbolRules, quote: Decimal, price: Decimal) -> Decimal:
    return rules.round_qty(quote / price)


def spend(rules: SymbolRules) -> Decimal:
    """A small entry well above the minimum notional (a 20-30 USDT account's order)."""
    return max(D(30), rules.min_notional * 3)


async def resting_buy(env, rules: SymbolRules, reference: Decimal, tag: str):
    price = price_at(rules, reference, "0.9")
    qty = quantity_for(rules, spend(rules), price)
    request = OrderRequest(env.symbol, Side.BUY, OrderType.LIMIT, cid(tag), qty, price=price,
                           time_in_force=TimeInForce.GTC)
    return await env.exchange.place_order(request)


async def test_symbol_rules_carry_the_symbol_and_its_filters(env) -> None:
    rules = await rules_of(env)
    assert rules.symbol == env.symbol and rules.base_asset and rules.quote_asset
    assert rules.tick_size > 0 and rules.step_size > 0 and rules.min_notional > 0


async def test_market_buy_by_quote_amount_debits_quote_and_credits_base_minus_commission(env) -> None:
    rules = await rules_of(env)
    await env.market.liquid_market(env.symbol)
    quote_before, base_before = await free(env, rules.quote_asset), await free(env, rules.base_asset)
    amount = spend(rules)
    report = await env.exchange.place_order(OrderRequest(env.symbol, Side.BUY, OrderType.MARKET, cid("mb"),
                                                         quote_quantity=amount))
    assert report.status is OrderStatus.FILLED
    assert 0 < report.cumulative_quote <= amount and report.executed_quantity > 0
    assert sum(f.quantity for f in report.fills) == report.executed_quantity
    assert await free(env, rules.quote_asset) == quote_before - report.cumulative_quote
    received = report.executed_quantity - report.commission_in(rules.base_asset)
    assert await free(env, rules.base_asset) == base_before + received


async def test_filter_failures_are_rejections_naming_the_filter(env) -> None:
    rules = await rules_of(env)
    reference = await env.market.liquid_market(env.symbol)
    price = price_at(rules, reference, "0.9")
    qty = quantity_for(rules, spend(rules), price)

    def limit(quantity: Decimal, at: Decimal) -> OrderRequest:
        return OrderRequest(env.symbol, Side.BUY, OrderType.LIMIT, cid("f"), quantity, price=at,
                            time_in_force=TimeInForce.GTC)
    tiny = max(rules.min_qty, rules.step_size)
    if tiny * price >= rules.min_notional:
        pytest.skip("the smallest lot already meets the minimum notional here")
    cases = [(limit(qty + rules.step_size / 2, price), {"LOT_SIZE"}),
             (limit(qty, price + rules.tick_size / 2), {"PRICE_FILTER"}),
             (limit(tiny, price), {"NOTIONAL", "MIN_NOTIONAL"})]
    for request, expected in cases:
        with pytest.raises(OrderRejected) as caught:
            await env.exchange.place_order(request)
        assert caught.value.filter_type in expected, (request, caught.value)
    assert await env.exchange.open_orders(env.symbol) == []


async def test_an_order_the_account_cannot_pay_raises_insufficient_balance(env) -> None:
    rules = await rules_of(env)
    reference = await env.market.liquid_market(env.symbol)
    price = price_at(rules, reference, "0.9")
    qty = rules.round_qty(await free(env, rules.quote_asset) * 2 / price)
    if rules.max_qty > 0 and qty > rules.max_qty:
        pytest.skip("the account is too rich to overdraw within maxQty")
    with pytest.raises(InsufficientBalance):
        await env.exchange.place_order(OrderRequest(env.symbol, Side.BUY, OrderType.LIMIT, cid("ib"), qty,
                                                    price=price, time_in_force=TimeInForce.GTC))


async def test_a_resting_order_is_listed_and_cancel_returns_canceled_and_unlocks(env) -> None:
    rules = await rules_of(env)
    reference = await env.market.liquid_market(env.symbol)
    locked_before = await locked(env, rules.quote_asset)
    order = await resting_buy(env, rules, reference, "rest")
    assert order.status is OrderStatus.NEW
    assert order.order_id in [o.order_id for o in await env.exchange.open_orders(env.symbol)]
    assert order.order_id in [o.order_id for o in await env.exchange.open_orders()]
    assert await locked(env, rules.quote_asset) == locked_before + order.quantity * order.price
    canceled = await env.exchange.cancel_order(env.symbol, order.order_id)
    assert canceled.status is OrderStatus.CANCELED
    assert (await env.exchange.get_order(env.symbol, order.order_id)).status is OrderStatus.CANCELED
    assert await locked(env, rules.quote_asset) == locked_before
    assert order.order_id not in [o.order_id for o in await env.exchange.open_orders(env.symbol)]


async def test_unknown_order_and_list_ids_raise_order_not_found(env) -> None:
    await env.market.liquid_market(env.symbol)
    for call in (env.exchange.get_order, env.exchange.cancel_order, env.exchange.get_order_list,
                 env.exchange.cancel_order_list):
        with pytest.raises(OrderNotFound):
            await call(env.symbol, NO_SUCH_ID)


async def test_a_retried_order_with_the_same_client_id_is_not_placed_twice(env) -> None:
    rules = await rules_of(env)
    await env.market.liquid_market(env.symbol)
    request = OrderRequest(env.symbol, Side.BUY, OrderType.MARKET, cid("retry"), quote_quantity=spend(rules))
    first = await env.exchange.place_order(request)
    after_first = await free(env, rules.quote_asset), await free(env, rules.base_asset)
    try:
        again = await env.exchange.place_order(request)
    except OrderRejected:
        pass  # refusing the duplicate is as good as returning the first order
    else:
        assert again.order_id == first.order_id
    assert (await free(env, rules.quote_asset), await free(env, rules.base_asset)) == after_first


async def buy_then_oco(env, tag: str):
    rules = await rules_of(env)
    reference = await env.market.liquid_market(env.symbol)
    buy = await env.exchange.place_order(OrderRequest(env.symbol, Side.BUY, OrderType.MARKET, cid(tag),
                                                      quote_quantity=spend(rules)))
    qty = rules.round_qty(buy.executed_quantity - buy.commission_in(rules.base_asset))
    request = OcoRequest(env.symbol, qty, take_profit_price=price_at(rules, reference, "1.05"),
                         stop_price=price_at(rules, reference, "0.95"),
                         stop_limit_price=price_at(rules, reference, "0.945"), list_client_id=cid(tag + "l"))
    return rules, request, await env.exchange.place_oco(request)


async def test_an_oco_after_a_buy_locks_the_base_until_cancelled(env) -> None:
    rules = await rules_of(env)
    await env.market.liquid_market(env.symbol)
    locked_before = await locked(env, rules.base_asset)
    rules, request, listed = await buy_then_oco(env, "oco")
    assert listed.status is ListStatus.EXECUTING and len(listed.orders) == 2
    assert await locked(env, rules.base_asset) == locked_before + request.quantity
    done = await env.exchange.cancel_order_list(env.symbol, listed.order_list_id)
    assert done.status is ListStatus.ALL_DONE
    assert {o.status for o in done.orders} == {OrderStatus.CANCELED}
    assert await locked(env, rules.base_asset) == locked_before


@pytest.mark.parametrize("leg", ["take_profit", "stop_loss"])
async def test_when_one_oco_leg_fills_the_other_expires(env, leg: str) -> None:
    rules = await rules_of(env)
    locked_before = await locked(env, rules.base_asset)
    rules, request, listed = await buy_then_oco(env, "leg")
    through = (request.take_profit_price + rules.tick_size if leg == "take_profit"
               else request.stop_price - rules.tick_size)
    await env.market.print_trade(env.symbol, through)
    done = await env.exchange.get_order_list(env.symbol, listed.order_list_id)
    assert done.status is ListStatus.ALL_DONE
    filled = done.filled_leg
    assert filled is not None and filled.status is OrderStatus.FILLED
    wanted = OrderType.LIMIT_MAKER if leg == "take_profit" else OrderType.STOP_LOSS_LIMIT
    assert filled.type is wanted
    other = next(o for o in done.orders if o.order_id != filled.order_id)
    assert other.status is OrderStatus.EXPIRED
    assert await locked(env, rules.base_asset) == locked_before


async def test_an_adapter_that_knows_the_commission_rates_reports_them_per_symbol(env) -> None:
    if not isinstance(env.exchange, CommissionRates):
        pytest.skip(f"{env.name} does not report commission rates (the configured table is used)")
    fees = await env.exchange.commission(env.symbol)
    assert 0 <= fees.effective_taker < 0.01 and 0 <= fees.effective_maker < 0.01
