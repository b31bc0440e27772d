"""Spot balances with free and locked amounts, as Binance keeps them. Never lets an amount go negative."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from domain.orders import Balance
from ports.errors import InsufficientBalance

ZERO = Decimal(0)
INSUFFICIENT_BALANCE = "Account has insufficient balance for requested action."


def insufficient_balance() -> InsufficientBalance:
    return InsufficientBalance(INSUFFICIENT_BALANCE, code=-2010)


class Accounts:
    """Free and locked amount per asset. Locking moves free -> locked; fills spend from either."""

    def __init__(self, deposits: Mapping[str, Decimal] | None = None) -> None:
        self._free: dict[str, Decimal] = {}
        self._locked: dict[str, Decimal] = {}
        # The last snapshot and the assets changed since (a replay asks after every fill, over ~100 assets).
        self._snapshot: dict[str, Balance] = {}
        self._changed: set[str] = set()
        self._balances: dict[str, Balance] = {}  # every asset's Balance as of the last snapshot
        for asset, amount in (deposits or {}).items():
            self.deposit(asset, amount)

    def free(self, asset: str) -> Decimal:
        return self._free.get(asset, ZERO)

    def locked(self, asset: str) -> Decimal:
        return self._locked.get(asset, ZERO)

    # Every fill moves four or five amounts: the dicts are read directly, not through free()/locked().
    def deposit(self, asset: str, amount: Decimal) -> None:
        self._changed.add(asset)
        if amount < 0:
            raise ValueError(f"cannot deposit a negative amount of {asset}: {amount}")
        self._free[asset] = self._free.get(asset, ZERO) + amount

    def lock(self, asset: str, amount: Decimal) -> None:
        """Reserve `amount` for an open order; the whole order is refused (-2010) if it is not free."""
        self._changed.add(asset)
        free = self._free.get(asset, ZERO)
        if amount > free:
            raise insufficient_balance()
        self._free[asset] = free - amount
        self._locked[asset] = self._locked.get(asset, ZERO) + amount

    def unlock(self, asset: str, amount: Decimal) -> None:
        self._changed.add(asset)
        locked = self._locked.get(asset, ZERO)
        if amount > locked:
            raise AssertionError(f"unlocking {amount} {asset} but only {locked} is locked")
        self._locked[asset] = locked - amount
        self._free[asset] = self._free.get(asset, ZERO) + amount

    def debit(self, asset: str, amount: Decimal) -> None:
        """Take from the free amount (a taker fill paid from free funds, a BNB commission)."""
        self._changed.add(asset)
        free = self._free.get(asset, ZERO)
        if amount > free:
            raise insufficient_balance()
        self._free[asset] = free - amount

    def credit(self, asset: str, amount: Decimal) -> None:
        self._changed.add(asset)
        self._free[asset] = self._free.get(asset, ZERO) + amount

    def snapshot(self) -> dict[str, Balance]:
        """Every asset the account has ever held, zero balances included (like omitZeroBalances=false)."""
        changed = self._changed
        if changed:
            free, held, balances, snapshot = self._free, self._locked, self._balances, self._snapshot
            new_asset = False
            for asset in changed:  # only what moved since the last snapshot gets a new Balance
                amount, locked = free.get(asset), held.get(asset)
                if amount is None and locked is None:  # a refused lock of an asset never held adds none
                    continue
                balance = balances[asset] = Balance(asset, ZERO if amount is None else amount,
                                                    ZERO if locked is None else locked)
                if asset in snapshot:
                    snapshot[asset] = balance
                else:
                    new_asset = True
            if new_asset:  # sorted in anew
                self._snapshot = {a: balances[a] for a in sorted(balances)}
            changed.clear()
        return dict(self._snapshot)
