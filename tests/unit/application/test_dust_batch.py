"""Dust valued by rows (a replay's grid): the bits of valuing it by names, whatever the lots do."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from decimal import Decimal

import numpy as np
import pytest

from application.dust_batch import DustBatch, Floats, PricesByRow
from application.holdings import DustLedger, Lot


class Grid:
    """PricesByRow over a fixed list of names; `by_names` asks the same prices by name."""

    def __init__(self, names: Sequence[str]) -> None:
        self.names = list(names)
        self.prices = np.full(len(names) + 1, np.nan)  # the last row: no such symbol
        self.columns_read = 0

    def __call__(self, symbols: Sequence[str]) -> Floats:
        return self.prices[[self.row_of(s) for s in symbols]]

    def row_of(self, symbol: str) -> int:
        return self.names.index(symbol) if symbol in self.names else len(self.names)

    def column(self) -> Floats:
        self.columns_read += 1
        return self.prices

    def by_names(self, symbols: Sequence[str]) -> list[float]:
        return self(symbols).tolist()

    def one(self, symbol: str) -> float | None:
        price = float(self.prices[self.row_of(symbol)])
        return None if math.isnan(price) else price


def test_a_grid_is_read_by_rows_and_a_plain_function_by_names() -> None:
    grid = Grid(["AUSDT", "BUSDT"])
    grid.prices[:2] = 2.0, 3.0
    assert isinstance(grid, PricesByRow) and not isinstance(grid.by_names, PricesByRow)
    batch = DustBatch(["BUSDT", "AUSDT", "ZUSDT"], [1.5, 0.25, 4.0], [9.0, 9.0, 0.5])
    assert batch.value_all(grid) == batch.value_all(grid.by_names) == 1.5 * 3.0 + 0.25 * 2.0 + 4.0 * 0.5
    assert grid.columns_read == 1
    assert DustBatch([], [], []).value_all(grid) == 0.0


@pytest.mark.parametrize("seed", range(10))
def test_lots_changing_between_valuations_by_rows_value_as_by_names(seed: int) -> None:
    """Adds, partial and whole takes, prices moving, missing (NaN) and zero prices (the fallback): the
    ledger valuing by rows gives the bits of the one valuing by names, every time."""
    rng = random.Random(seed)
    names = [f"S{i}USDT" for i in range(12)]
    grid = Grid(names[:10])  # two symbols never priced: always their fallback
    rows, plain = DustLedger(), DustLedger()
    for step in range(120):
        symbol, roll, units = rng.choice(names), rng.random(), Decimal(rng.randint(1, 900)) / 100
        for ledger in (rows, plain):
            if roll < 0.5:
                ledger.add(symbol, Lot(units, 1.5, 0.01), 2.0 + roll)
            elif roll < 0.75:
                ledger.take(symbol, Decimal("0.37"))
            else:
                ledger.take(symbol)
        if step % 3 == 0:  # a new minute: every price may move, a few have none
            grid.prices[:10] = [rng.choice([math.nan, rng.uniform(0.1, 9), rng.uniform(0.1, 9)])
                                for _ in range(10)]
            assert rows.value(grid.one, None, grid) == plain.value(grid.one, None, grid.by_names)
        else:  # the same minute: only lots changed
            assert rows.value(grid.one, set(), grid) == plain.value(grid.one, set(), grid.by_names)


@pytest.mark.parametrize("hole", [None, math.nan, 0.0])
def test_values_along_are_the_bits_of_one_value_all_per_instant(hole: float | None) -> None:
    """Every price known (no fallback read), or one missing (NaN) or 0 somewhere: the fallback counts."""
    rng = np.random.default_rng(11)
    symbols = [f"S{i}USDT" for i in range(50)]
    batch = DustBatch(symbols, rng.uniform(0.001, 3.0, 50).tolist(), rng.uniform(0.1, 90.0, 50).tolist())
    path = rng.uniform(0.01, 900.0, size=(len(symbols), 9))
    if hole is not None:
        path[7, 3] = hole
    along = batch.values_along(lambda names: path)
    assert along == [batch.value_all(lambda names, m=m: path[:, m]) for m in range(path.shape[1])]
