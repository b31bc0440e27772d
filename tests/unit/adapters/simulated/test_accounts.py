"""The simulated account's balances: every change shows in the next snapshot, assets in name order."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from adapters.simulated.accounts import Accounts
from domain.orders import Balance
from ports.errors import InsufficientBalance

D = Decimal


def test_each_snapshot_shows_every_change_since_the_last_one_and_new_assets_in_order() -> None:
    accounts = Accounts({"USDT": D(100)})
    assert accounts.snapshot() == {"USDT": Balance("USDT", D(100), D(0))}
    accounts.lock("USDT", D(30))
    accounts.credit("BTC", D("0.5"))
    first = accounts.snapshot()
    assert list(first) == ["BTC", "USDT"]
    assert first["USDT"] == Balance("USDT", D(70), D(30)) and first["BTC"] == Balance("BTC", D("0.5"), D(0))
    accounts.unlock("USDT", D(10))
    accounts.debit("BTC", D("0.2"))
    accounts.credit("ADA", D(3))
    second = accounts.snapshot()
    assert list(second) == ["ADA", "BTC", "USDT"]
    assert second["USDT"] == Balance("USDT", D(80), D(20)) and second["BTC"].free == D("0.3")
    second.clear()  # a caller's copy: the account's own is untouched
    assert accounts.snapshot()["ADA"].free == D(3)
    assert first["USDT"] == Balance("USDT", D(70), D(30))  # an earlier snapshot does not move


def test_a_refused_lock_of_an_asset_never_held_adds_no_balance() -> None:
    accounts = Accounts({"USDT": D(100)})
    accounts.snapshot()
    with pytest.raises(InsufficientBalance):
        accounts.lock("ETH", D(1))
    with pytest.raises(InsufficientBalance):
        accounts.debit("BNB", D(1))
    accounts.credit("BTC", D(1))  # a new asset: the snapshot is sorted in anew
    assert list(accounts.snapshot()) == ["BTC", "USDT"]


def test_a_kept_snapshot_is_always_the_one_built_from_scratch() -> None:
    rng = random.Random(5)
    accounts = Accounts({"USDT": D(1000)})
    held: set[str] = {"USDT"}
    for _ in range(2000):
        asset = rng.choice(("USDT", "BTC", "ADA", "ZEC", "ETH", "BNB"))
        amount = D(rng.randint(0, 500)) / 10
        try:
            match rng.randrange(5):
                case 0:
                    accounts.deposit(asset, amount)
                case 1:
                    accounts.lock(asset, amount)
                case 2:
                    accounts.unlock(asset, min(amount, accounts.locked(asset)))
                case 3:
                    accounts.debit(asset, amount)
                case _:
                    accounts.credit(asset, amount)
            if asset in accounts._free or asset in accounts._locked:
                held.add(asset)
        except InsufficientBalance:
            pass
        if rng.random() < 0.5:
            assert accounts.snapshot() == {a: Balance(a, accounts.free(a), accounts.locked(a))
                                           for a in sorted(held)}
            assert list(accounts.snapshot()) == sorted(held)
