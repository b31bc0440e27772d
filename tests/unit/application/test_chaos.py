"""Crash-only, in process (issue 14): kill the bot at seeded moments (before an exchange call reaches the
venue, or after it executed and before its answer arrives), restart it on the same account, store and
journal, and check what must hold whatever the moment: no lost or doubled round trip, nothing naked, no
orphaned order, no client id reused for a second order, never more positions than allowed."""

from __future__ import annotations

import os
import random
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from tests.support.fakes import T0, FakeModel, rules_for, trade_at
from tests.support.harness import SYMBOL, Harness, build, config, feed, restart

from adapters.storage.state_store import SqliteStateStore
from application.account import trade_key
from application.trading_config import HoldingPolicy, LoopConfig, OrphanOrderPolicy, RecoveryConfig
from domain.orders import OrderRequest, OrderStatus
from domain.values import Side

OTHER = "XYZUSDT"
# CI: 4 seeds x 6 kills; scripts/chaos runs any number (CHAOS_SEEDS, CHAOS_KILLS, CHAOS_FIRST_SEED).
KILLS = int(os.environ.get("CHAOS_KILLS", "6"))
FIRST_SEED = int(os.environ.get("CHAOS_FIRST_SEED", "1"))
SEEDS = range(FIRST_SEED, FIRST_SEED + int(os.environ.get("CHAOS_SEEDS", "4")))
RULES = {SYMBOL: rules_for(SYMBOL), OTHER: rules_for(OTHER)}


class Killed(BaseException):
    """kill -9."""


class Crashes:
    """Arms one kill at the n-th exchange call from now, before or after the venue acts on it."""

    def __init__(self, h: Harness) -> None:
        self.exchange, self.at, self.after = h.exchange, -1, False
        self.reused: list[str] = []
        call, lose, place = h.exchange._call, h.exchange._maybe_lose, h.exchange._place_order

        def before(method: str) -> None:
            call(method)
            if len(self.exchange.calls) == self.at and not self.after:
                raise Killed(f"before {method}")

        def answer_lost(method: str) -> None:
            if len(self.exchange.calls) == self.at and self.after:
                raise Killed(f"after {method}")
            lose(method)

        def placed(request: OrderRequest) -> object:
            known = self.exchange._by_client.get(request.client_order_id)
            if known is not None and self.exchange._orders[known].status.is_final:
                self.reused.append(request.client_order_id)  # Binance would place a second order
            return place(request)

        h.exchange._call = before  # type: ignore[method-assign]
        h.exchange._maybe_lose = answer_lost  # type: ignore[method-assign]
        h.exchange._place_order = placed  # type: ignore[method-assign,assignment]

    def arm(self, rng: random.Random) -> None:
        self.at, self.after = len(self.exchange.calls) + rng.randint(1, 12), rng.random() < 0.5


def variant(seed: int) -> LoopConfig:
    """Odd seeds: the other recovery policies (sell what is naked, cancel orphaned orders)."""
    if seed % 2 == 0:
        return config()
    return replace(config(), recovery=RecoveryConfig(naked_holdings=HoldingPolicy.SELL,
                                                     orphan_orders=OrphanOrderPolicy.CANCEL))


@pytest.mark.parametrize("seed", SEEDS)
async def test_kills_at_random_moments_lose_nothing(tmp_path: Path, seed: int) -> None:
    rng, path = random.Random(seed), tmp_path / "live.sqlite"
    h = build(state=SqliteStateStore(path), rules=dict(RULES), prices={SYMBOL: "1.0", OTHER: "1.0"},
              top=(SYMBOL, OTHER), model=FakeModel(), loop_config=variant(seed))
    crashes, t, prices, kills = Crashes(h), T0, {SYMBOL: 1.0, OTHER: 1.0}, 0
    for rounds in range(10 * KILLS):
        if kills >= KILLS:
            break
        run = h if rounds == 0 else restart(h, SqliteStateStore(path))
        crashes.arm(rng)
        try:
            await run.loop.start()
            for _ in range(rng.randint(3, 25)):
                t += rng.choice((700, 1_500, 30_000, 120_000))
                symbol = rng.choice((SYMBOL, OTHER))
                prices[symbol] = round(max(0.9, min(1.1, prices[symbol] * (1 + rng.gauss(0, 0.003)))), 4)
                await feed(run, trade_at(symbol, prices[symbol], t))
                assert len(run.loop.positions.positions) <= run.risk.limits.max_open_positions
                if run.loop.stopped:
                    break
            await run.loop.stop()
        except Killed:
            kills += 1
    crashes.at = -1
    final = restart(h, SqliteStateStore(path))
    await final.loop.start()
    assert not final.loop.stopped, final.loop.stopped_reason
    await check(final, SqliteStateStore(path), crashes, kills)


async def check(h: Harness, store: SqliteStateStore, crashes: Crashes, kills: int) -> None:
    assert kills >= KILLS and crashes.reused == []
    journal = h.journal.records
    assert [trade_key(t) for t in journal] == [trade_key(t) for t in store.trades()]  # each once, in order
    assert len({trade_key(t) for t in journal}) == len(journal)
    held = h.loop.positions.positions
    # Nothing naked: every base unit above the lot step's dust is locked under an OCO of a held position.
    for symbol, rules in RULES.items():
        free = h.exchange.free[rules.base_asset]
        assert free < Decimal(2) * rules.step_size or not rules.meets_min_notional(free, Decimal(1)), symbol
    open_lists = {o.order_list_id for o in await h.exchange.open_orders()}
    assert open_lists == {p.oco_list_id for p in held.values()}  # no orphaned order, no position without
    # Every buy that filled is a journaled round trip or a position held now.
    buys = [o for o in h.exchange._orders.values() if o.side is Side.BUY and o.executed_quantity > 0]
    for buy in buys:
        assert any(t.symbol == buy.symbol and t.entry_time_ms == buy.time_ms for t in journal) or (
            buy.symbol in held and held[buy.symbol].entry_time_ms == buy.time_ms), buy
    assert all(o.status is OrderStatus.FILLED for o in buys)
