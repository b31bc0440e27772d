"""One equity per state: the loop's readers (the tick, a replay's probe and marks, the entries) share the
value while nothing it depends on moved, and get a new one as soon as something did."""

from __future__ import annotations

from decimal import Decimal

from tests.support.fakes import T0, FakeModel, good_until, trade_at
from tests.support.harness import SYMBOL, build, feed

from application.holdings import Lot


async def test_a_replay_s_dust_prices_are_read_again_only_when_their_version_moves() -> None:
    h = build()
    await h.loop.start()
    h.loop.dust.add("DUSTUSDT", Lot(Decimal(2), 1.0, 0.0), 1.0)
    prices, version = {"DUSTUSDT": 1.5}, [0]
    h.loop.price_dust_with(prices.get, None, None, lambda: version[0])
    before = h.loop.marked_equity()
    assert before == 100.0 + 2 * 1.5 - 2 * 1.0
    prices["DUSTUSDT"] = 3.0  # the same minute: the value already found
    assert h.loop.marked_equity() == before
    version[0] += 1  # the next minute: valued again
    assert h.loop.marked_equity() == 100.0 + 2 * 3.0 - 2 * 1.0


async def test_without_a_prices_version_equity_is_valued_at_every_call() -> None:
    h = build()
    await h.loop.start()
    h.loop.dust.add("DUSTUSDT", Lot(Decimal(2), 1.0, 0.0), 1.0)
    prices = {"DUSTUSDT": 1.5}
    h.loop.price_dust_with(prices.get, None, None)
    assert h.loop.marked_equity() == 101.0
    prices["DUSTUSDT"] = 3.0
    assert h.loop.marked_equity() == 104.0


async def test_a_held_symbol_s_price_and_a_new_position_move_the_equity_at_once() -> None:
    h = build(model=FakeModel(good_until(T0 + 10 * 60_000)))
    await h.loop.start()
    flat = h.loop.marked_equity()
    await feed(h, trade_at(SYMBOL, 1.0, T0 + 100), trade_at(SYMBOL, 1.0, T0 + 2_500))
    assert h.loop.positions.held == {SYMBOL}
    opened = h.loop.marked_equity()
    assert opened != flat  # the entry's fees: the position counts at once
    await h.loop.ingest(trade_at(SYMBOL, 1.1, T0 + 3_000))
    assert h.loop.marked_equity() > opened
