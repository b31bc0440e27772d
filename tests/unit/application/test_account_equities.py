"""Account.equities_each: the costs read once for a stretch where only prices move, each equity the bits of
`equity()` asked at that instant."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any, cast

import numpy as np
from tests.support.harness import LIMITS

from application.account import Account
from application.holdings import DustLedger, Lot
from application.trading_config import RetryPolicy
from domain.risk import RiskBook


def test_equities_each_are_the_bits_of_one_equity_an_instant() -> None:
    rng = np.random.default_rng(5)
    symbols = [f"S{i}USDT" for i in range(30)]
    dust = DustLedger()
    for symbol in symbols:
        price = float(rng.uniform(0.01, 500.0))
        dust.add(symbol, Lot(Decimal(repr(round(float(rng.uniform(0.001, 2.0)), 5))), price, 0.01), price)
    path = rng.uniform(0.01, 500.0, size=(len(symbols), 12))
    path[4, 2:5] = np.nan  # no price then: the dust's fallback
    instant = [0]

    def price_of(symbol: str) -> float | None:
        price = float(path[symbols.index(symbol), instant[0]])
        return None if math.isnan(price) else price

    def move_to(i: int) -> None:
        instant[0] = i

    account = Account(cast(Any, None), cast(Any, None), cast(Any, None), RiskBook(LIMITS), RetryPolicy(),
                      "USDT", "backtest", dust=dust, price_of=price_of, positions_cost=lambda: 41.7)
    held = rng.uniform(30.0, 60.0, size=path.shape[1]).tolist()
    instants = list(range(path.shape[1]))
    each = account.equities_each(held, move_to, instants)
    one_by_one = []
    for i, value in zip(instants, held, strict=True):
        move_to(i)
        one_by_one.append(account.equity(value))
    assert each == one_by_one
