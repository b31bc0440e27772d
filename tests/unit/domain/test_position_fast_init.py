"""Positions, their exit rules, completed trades and the dust's lots are built by the thousand per replay:
their direct-slot inits (domain/fast_init.py) keep every value, default, equality and copy."""

from __future__ import annotations

import dataclasses
import math
import pickle
from decimal import Decimal

import pytest

from application.holdings import Lot
from domain.position import CompletedTrade, ExitPolicy, ExitReason, Position


def _fields(value: object) -> list[tuple[str, object]]:
    return [(f.name, getattr(value, f.name)) for f in dataclasses.fields(value)]  # type: ignore[arg-type]


@pytest.mark.parametrize("cls", [ExitPolicy, Position, CompletedTrade, Lot])
def test_the_direct_slot_init_is_in_place(cls: type) -> None:
    init = cls.__dict__["__init__"]
    assert any(name.startswith("_s_") for name in init.__code__.co_freevars)


def test_a_position_keeps_its_values_defaults_equality_copies_and_pickling() -> None:
    policy = ExitPolicy(0.01, 0.005, 600)
    assert _fields(policy) == [("take_profit_pct", 0.01), ("stop_loss_pct", 0.005), ("timeout_sec", 600),
                               ("trailing_activation_pct", None), ("trailing_distance_pct", 0.0),
                               ("min_hold_sec", 0)]
    position = Position("BTCUSDT", 100.0, 0.5, 60_000, 99.0, 101.0, 0.05, policy)
    assert _fields(position)[8:13] == [("highest_price", 0.0), ("trailing_stop_price", None),
                                       ("oco_list_id", -1), ("entry_order_id", 0), ("score", 0.0)]
    assert math.isnan(position.expected_net_return_pct)
    keyed = Position(symbol="BTCUSDT", entry_price=100.0, quantity=0.5, entry_time_ms=60_000,
                     stop_loss_price=99.0, take_profit_price=101.0, entry_fee_usdt=0.05, policy=policy,
                     expected_net_return_pct=1.5)
    assert keyed == position and hash(keyed) == hash(position)  # the promise is left out of equality
    assert dataclasses.replace(position, quantity=0.25).quantity == 0.25
    assert position.with_price(102.0).highest_price == 102.0 and position.without_oco() is position
    assert pickle.loads(pickle.dumps(position)) == position
    with pytest.raises(dataclasses.FrozenInstanceError):
        position.quantity = 1.0  # type: ignore[misc]
    trade = position.close(exit_price=101.0, exit_time_ms=120_000, exit_fee_usdt=0.05, reason=ExitReason.TP)
    assert trade == CompletedTrade("BTCUSDT", 100.0, 101.0, 0.5, 60_000, 120_000, 0.1, ExitReason.TP)


def test_a_lot_keeps_its_values_sums_and_splits() -> None:
    lot = Lot(Decimal("0.30"), 2.0, 0.03)
    assert _fields(lot) == [("quantity", Decimal("0.30")), ("price", 2.0), ("fee_usdt", 0.03)]
    taken, rest = lot.split(Decimal("0.10"))
    assert (taken + rest).quantity == lot.quantity and rest == Lot(Decimal("0.20"), 2.0, 0.03 * (1 - 1 / 3))
