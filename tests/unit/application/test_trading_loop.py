"""The whole loop on fakes: candidate -> signal -> risk -> buy -> OCO -> exit -> journal and stats."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from tests.support.fakes import T0, FakeModel, good_until, history, poor, rules_for, trade_at
from tests.support.harness import LIMITS, SYMBOL, build, config, feed
from tests.support.logs import Logs

from domain.features import WARMUP_BARS
from domain.position import CompletedTrade, ExitReason
from domain.stats import compute_stats
from domain.values import Side
from ports.errors import OrderRejected


async def test_full_cycle_take_profit_is_journaled_with_the_real_fill_and_fees(logs: Logs) -> None:
    h = build(model=FakeModel(good_until(T0 + 1_000)))  # one entry, then nothing worth trading
    await h.loop.start()
    await feed(h, trade_at(SYMBOL, 1.0, T0 + 100))

    assert SYMBOL in h.feed.watched and h.feed.backfills[0][0] == SYMBOL
    position = h.loop.positions.positions[SYMBOL]
    assert position.oco_list_id >= 0
    assert h.exchange.locked["ABC"] == Decimal(repr(position.quantity))  # the OCO holds what we got

    await feed(h, trade_at(SYMBOL, 1.0031, T0 + 5_000))
    await h.loop.stop()

    assert [t.exit_reason for t in h.journal.records] == [ExitReason.TP]
    trade = h.journal.records[0]
    assert trade.exit_price == 1.003
    # The journal's net PnL is what the account really gained, fees included.
    assert abs(trade.pnl_usdt - float(h.usdt() - Decimal(100))) < 1e-9
    assert trade.pnl_usdt > 0 and trade.fees_usdt > 0
    assert compute_stats(h.journal.records, 100.0).winning_trades == 1
    assert abs(h.risk.daily_pnl(h.clock.now_ms()) - trade.pnl_usdt) < 1e-12
    assert h.loop.positions.positions == {}
    for text in ("Signal: BUY", "Risk approved", "Order placed: BUY", "Position opened", "Position closed"):
        assert logs.having(text), text
    assert all(r["extra"].get("mode") == "backtest" for r in logs.having("Position"))


async def test_the_stats_of_a_run_count_only_its_trades_while_the_journal_keeps_every_run(logs: Logs) -> None:
    h = build(model=FakeModel(good_until(T0 + 1_000)))
    earlier = h.journal.records
    earlier.extend(CompletedTrade(SYMBOL, 1.0, 0.9, 10.0, T0 - 9_000, T0 - 8_000, 0.0, ExitReason.SL)
                   for _ in range(3))  # an earlier run's losses, journaled in the same file
    await h.loop.start()
    await feed(h, trade_at(SYMBOL, 1.0, T0 + 100), trade_at(SYMBOL, 1.0031, T0 + 5_000))
    await h.loop.stop()
    assert len(h.journal.records) == 4
    assert [t.exit_reason for t in h.loop.run_trades()] == [ExitReason.TP]
    final = logs.having("Stats: ", "INFO")[-1]["message"]
    assert final.startswith("Stats: trades=1 | wins=1 (100.0%)"), final


async def test_no_trade_without_positive_expected_value_says_why_without_flooding(logs: Logs) -> None:
    h = build(model=FakeModel(poor))
    await h.loop.start()
    await feed(h, trade_at(SYMBOL, 1.0, T0 + 100), trade_at(SYMBOL, 1.0, T0 + 900))  # one scan interval
    said = logs.having("no trade: best expected net return -0.050% <= margin 0.000%", "INFO")
    assert len(said) == 1
    await feed(h, trade_at(SYMBOL, 1.0, T0 + 2_200))  # the next scan: the same reason, at DEBUG
    assert len(logs.having("no trade: best expected net return", "INFO")) == 1
    assert len(logs.having("no trade: best expected net return", "DEBUG")) == 1
    await feed(h, trade_at(SYMBOL, 1.0, T0 + 62_500))  # a minute on: said again at INFO
    assert len(logs.having("no trade: best expected net return", "INFO")) == 2
    assert h.exchange.orders_placed() == [] and len(h.model.batches) == 3


async def test_a_candidate_without_enough_history_is_backfilled_and_not_scored(logs: Logs) -> None:
    h = build()
    h.feed._candles = lambda symbol, end_ms, limit: history(symbol, end_ms, 10)  # a brand-new listing
    await h.loop.start()
    await feed(h, trade_at(SYMBOL, 1.0, T0 + 100))
    assert h.feed.backfills == [(SYMBOL, WARMUP_BARS)]
    assert h.model.batches == [] and h.exchange.orders_placed() == []
    assert logs.having("no candidate ready yet", "INFO")


async def test_detail_streams_follow_the_best_candidates_within_the_bound() -> None:
    top = tuple(f"S{i}USDT" for i in range(8))
    rules = {s: rules_for(s) for s in (*top, SYMBOL)}
    h = build(model=FakeModel(poor), loop_config=config(max_symbols_active=3), rules=rules, top=top)
    await h.loop.start()
    await feed(h, trade_at("S0USDT", 1.0, T0 + 100))
    assert h.feed.watched == {"S0USDT", "S1USDT", "S2USDT"}
    h.scanner.top = ["S5USDT", "S1USDT", "S6USDT", "S7USDT"]
    await feed(h, trade_at("S0USDT", 1.0, T0 + 2_500))
    assert h.feed.watched == {"S5USDT", "S1USDT", "S6USDT"}
    assert h.feed.unwatch_calls[-1] == ["S0USDT", "S2USDT"]
    assert h.loop.memory.bar_count("S0USDT") == 0  # forgotten: memory stays bounded
    assert [s for s, _ in h.feed.backfills].count("S1USDT") == 1  # still watched: not fetched again


async def test_oco_rejected_in_the_loop_sells_at_once_and_journals_it(logs: Logs) -> None:
    h = build(model=FakeModel(good_until(T0 + 1_000)))
    refusal = OrderRejected("The relationship of the prices for the orders is not correct.", code=-2010)
    h.exchange.fail_next("place_oco", refusal)
    await h.loop.start()
    await feed(h, trade_at(SYMBOL, 1.0, T0 + 100))
    assert [t.exit_reason for t in h.journal.records] == [ExitReason.UNPROTECTED]
    assert h.loop.positions.positions == {} and h.exchange.free["ABC"] < Decimal("0.01")
    assert [r.side for r in h.exchange.orders_placed()] == [Side.BUY, Side.SELL]
    assert logs.having("unprotected", "ERROR")


async def test_a_forced_sale_is_not_followed_by_the_same_buy_before_the_cooldown(logs: Logs) -> None:
    h = build(limits=replace(LIMITS, cooldown_ms=300_000))  # the model keeps signalling the pair
    h.exchange.fail_next("place_oco", OrderRejected("The relationship of the prices for the orders is not "
                                                    "correct.", code=-2010))
    await h.loop.start()
    await feed(h, trade_at(SYMBOL, 1.0, T0 + 100))
    assert [t.exit_reason for t in h.journal.records] == [ExitReason.UNPROTECTED]
    exited_ms = h.journal.records[0].exit_time_ms
    await feed(h, *(trade_at(SYMBOL, 1.0, exited_ms + k * 2_500) for k in range(1, 5)))  # four scans
    assert [r.side for r in h.exchange.orders_placed()] == [Side.BUY, Side.SELL]
    (refusal,) = logs.having("cooldown:", "INFO")  # said once; the following scans at DEBUG
    assert refusal["message"] == "Risk rejected ABCUSDT: cooldown: ABCUSDT exited 2 s ago (300 s)"
    assert refusal["extra"]["symbol"] == SYMBOL and len(logs.having("cooldown:", "DEBUG")) == 3
    await feed(h, trade_at(SYMBOL, 1.0, exited_ms + 300_000))
    assert [r.side for r in h.exchange.orders_placed()] == [Side.BUY, Side.SELL, Side.BUY]


async def test_timeout_in_the_loop_cancels_the_oco_then_sells() -> None:
    h = build(model=FakeModel(good_until(T0 + 1_000)))
    await h.loop.start()
    await feed(h, trade_at(SYMBOL, 1.0, T0 + 100))
    await feed(h, *(trade_at(SYMBOL, 1.0005, T0 + 100 + k * 60_000) for k in range(1, 6)))
    assert [t.exit_reason for t in h.journal.records] == [ExitReason.TIMEOUT]
    assert h.journal.records[0].duration_sec == 300
    assert "cancel_order_list" in h.exchange.calls and not await h.exchange.open_orders()


async def test_a_buy_whose_answer_was_lost_is_recovered_not_repeated() -> None:
    h = build()
    h.exchange.lose_next_response("place_order", times=3)  # every retry of the scan's buy times out
    await h.loop.start()
    await feed(h, trade_at(SYMBOL, 1.0, T0 + 100))
    assert h.loop.positions.positions == {}
    await feed(h, trade_at(SYMBOL, 1.0, T0 + 3_000))  # next tick asks again with the same id
    buys = [r for r in h.exchange.orders_placed() if r.side is Side.BUY]
    assert len(buys) == 1 and SYMBOL in h.loop.positions.positions
    assert h.loop.positions.positions[SYMBOL].oco_list_id >= 0
