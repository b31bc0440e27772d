"""Lots keep their cost when split or merged; the dust ledger values, hands back and warns once."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from decimal import Decimal

import numpy as np
import pytest
from tests.support.logs import Logs

from application.holdings import DustLedger, Lot, take_first

D = Decimal


def test_a_split_keeps_the_price_and_shares_the_fees() -> None:
    taken, rest = Lot(D("20"), 1.5, 0.03).split(D("15"))
    assert (taken.quantity, taken.price, rest.quantity, rest.price) == (D("15"), 1.5, D("5"), 1.5)
    assert taken.fee_usdt == pytest.approx(0.0225) and rest.fee_usdt == pytest.approx(0.0075)
    assert taken.cost_usdt + rest.cost_usdt == pytest.approx(Lot(D("20"), 1.5, 0.03).cost_usdt)
    everything, nothing = Lot(D("2"), 1.0, 0.0).split(D("5"))  # never more than the lot holds
    assert everything.quantity == D("2") and nothing.quantity == 0
    whole, none = Lot(D("0.30"), 1.0, 0.07).split(D("0.3"))  # all of it, written otherwise: every fee
    assert (whole.fee_usdt, none.fee_usdt, none.quantity) == (0.07, 0.0, 0)


def test_merging_averages_the_price_and_adds_the_fees() -> None:
    merged = Lot(D("3"), 1.0, 0.003) + Lot(D("1"), 2.0, 0.002)
    assert merged.quantity == D("4") and merged.price == pytest.approx(1.25)
    assert merged.cost_usdt == pytest.approx(3.003 + 2.002)
    assert (Lot(D("3"), 0.9995, 0.0) + Lot(D("0"), 7.0, 0.0)).price == 0.9995  # exact: nothing to average


def test_take_first_uses_the_first_lot_before_the_second() -> None:
    bought, dust = Lot(D("19.98"), 1.0, 0.02), Lot(D("0.98"), 0.9, 0.001)
    taken, left = take_first(bought, dust, D("19"))
    assert taken.price == 1.0 and left.quantity == D("1.96")
    taken, left = take_first(bought, dust, D("20"))
    assert taken.quantity == D("20") and left.quantity == D("0.96") and left.price == 0.9
    assert taken.cost_usdt + left.cost_usdt == pytest.approx(bought.cost_usdt + dust.cost_usdt)


def test_the_ledger_values_returns_and_warns_once_per_unsellable_holding(logs: Logs) -> None:
    ledger = DustLedger()
    ledger.add("ABCUSDT", Lot(D("0.5"), 1.0, 0.0005), 1.0)
    assert not logs.having("cannot be sold")  # plain rounding dust is not a warning
    ledger.add("ABCUSDT", Lot(D("4"), 1.0, 0.004), 1.0, unsellable="NOTIONAL: 4.5 < 5")
    ledger.add("ABCUSDT", Lot(D("0.1"), 1.0, 0.0), 1.0, unsellable="NOTIONAL: 4.6 < 5")
    assert len(logs.having("cannot be sold", "WARNING")) == 1
    assert ledger.symbols == {"ABCUSDT"} and ledger.quantity("ABCUSDT") == D("4.6")
    assert ledger.value(lambda symbol: 2.0) == pytest.approx(9.2)
    assert ledger.value(lambda symbol: None) == pytest.approx(4.6)  # the price seen when it was left
    part = ledger.take("ABCUSDT", D("1"))
    assert part is not None and part.quantity == D("1") and ledger.quantity("ABCUSDT") == D("3.6")
    assert ledger.cost() + part.cost_usdt == pytest.approx(4.6 + 0.0045)
    assert ledger.take("ABCUSDT") is not None and ledger.take("ABCUSDT") is None
    assert ledger.symbols == frozenset() and ledger.value(lambda symbol: 2.0) == 0.0


def test_the_ledger_values_again_only_what_moved_and_adds_as_a_fresh_valuation_would() -> None:
    prices = {"AUSDT": 1.1, "BUSDT": 2.3, "CUSDT": 0.7}
    ledger = DustLedger()
    for symbol, quantity in (("AUSDT", "0.3"), ("BUSDT", "0.01"), ("CUSDT", "7")):
        ledger.add(symbol, Lot(D(quantity), prices[symbol], 0.0), prices[symbol])
    assert ledger.value(prices.get) == sum(float(q) * p for q, p in ((D("0.3"), 1.1), (D("0.01"), 2.3),
                                                                      (D("7"), 0.7)))
    prices["BUSDT"], prices["CUSDT"] = 2.5, 0.9
    partly = ledger.value(prices.get, {"BUSDT"})  # CUSDT's move not reported: its last value is kept
    assert partly == float(D("0.3")) * 1.1 + float(D("0.01")) * 2.5 + float(D("7")) * 0.7
    assert ledger.value(prices.get, {"CUSDT"}) == _fresh_value(ledger, prices)
    ledger.take("AUSDT")
    ledger.add("AUSDT", Lot(D("0.5"), 1.0, 0.0), 1.0)  # re-added: valued again, now last in order
    assert ledger.value(prices.get, set()) == _fresh_value(ledger, prices)


def _fresh_value(ledger: DustLedger, prices: dict[str, float]) -> float:
    fresh = DustLedger()
    for symbol in ("BUSDT", "CUSDT", "AUSDT"):
        fresh.add(symbol, Lot(ledger.quantity(symbol), 1.0, 0.0), 1.0)
    return fresh.value(prices.get)


def test_the_ledger_cost_and_value_follow_every_change_of_its_lots() -> None:
    ledger = DustLedger()
    ledger.add("AUSDT", Lot(D("2"), 1.5, 0.01), 1.5)
    ledger.add("BUSDT", Lot(D("1"), 3.0, 0.02), 3.0)
    assert ledger.cost() == 2 * 1.5 + 0.01 + (3.0 + 0.02)
    assert ledger.value({"AUSDT": 2.0}.get, set()) == 2 * 2.0 + 3.0
    assert ledger.value({"AUSDT": 9.0}.get, set()) == 2 * 2.0 + 3.0  # no move reported: the last value
    ledger.take("AUSDT", D("1"))
    assert ledger.cost() == (1.5 + 0.005) + (3.0 + 0.02)
    assert ledger.value({"AUSDT": 9.0}.get, set()) == 9.0 + 3.0
    ledger.take("BUSDT")
    ledger.add("AUSDT", Lot(D("1"), 1.5, 0.0), 1.5)
    assert ledger.cost() == 2 * 1.5 + 0.005
    assert ledger.value({"AUSDT": 4.0}.get, set()) == 8.0


def test_valuing_every_lot_in_one_call_gives_the_bits_of_one_call_per_symbol() -> None:
    prices = {"AUSDT": 1.1, "BUSDT": math.nan, "CUSDT": 0.7}  # BUSDT has no price: its fallback counts
    asked: list[tuple[str, ...]] = []

    def batch(symbols: Sequence[str]) -> list[float]:
        asked.append(tuple(symbols))
        return [prices[s] for s in symbols]

    def one(symbol: str) -> float | None:
        return None if math.isnan(prices[symbol]) else prices[symbol]

    ledgers = DustLedger(), DustLedger()
    for ledger in ledgers:
        for symbol, quantity, price in (("CUSDT", "7.3", 0.69), ("AUSDT", "0.31", 1.0),
                                        ("BUSDT", "0.01", 2.3)):
            ledger.add(symbol, Lot(D(quantity), price, 0.0), price)
    assert ledgers[0].value(one, None, batch) == ledgers[1].value(one) == 7.3 * 0.7 + 0.31 * 1.1 + 0.01 * 2.3
    prices["AUSDT"] = 1.3
    ledgers[0].take("CUSDT", D("7"))
    ledgers[1].take("CUSDT", D("7"))
    assert ledgers[0].value(one, None, batch) == ledgers[1].value(one)
    assert asked == [("CUSDT", "AUSDT", "BUSDT")] * 2
    assert ledgers[0].value(one, {"AUSDT"}, batch) == ledgers[1].value(one, {"AUSDT"})  # a subset: one a call
    assert len(asked) == 2


def test_values_along_a_path_are_the_bits_of_one_valuation_per_instant() -> None:
    rng = np.random.default_rng(3)
    ledger = DustLedger()
    symbols = [f"S{i}USDT" for i in range(40)]  # enough lots for a pairwise sum to differ in the last bits
    for symbol in symbols:
        price = float(rng.uniform(0.01, 900.0))
        ledger.add(symbol, Lot(D(repr(round(float(rng.uniform(0.0001, 3.0)), 6))), price, 0.0), price)
    path = rng.uniform(0.01, 900.0, size=(len(symbols), 25))
    path[3, 5:9] = np.nan  # no price: the price seen when the dust was left counts
    along = ledger.values_along(lambda names: path[[symbols.index(s) for s in names]])
    one_by_one = []
    for minute in range(path.shape[1]):
        column = dict(zip(symbols, path[:, minute].tolist(), strict=True))
        one_by_one.append(ledger.value(lambda s, c=column: None if math.isnan(c[s]) else c[s]))
    assert along == one_by_one
    assert DustLedger().values_along(lambda names: np.empty((0, 3))) == [0.0, 0.0, 0.0]


@pytest.mark.parametrize("seed", range(8))
def test_lots_changing_between_batch_valuations_value_as_one_call_per_symbol(seed: int) -> None:
    """Adds (to a lot or new), partial and whole takes between valuations: the batch arrays follow each
    change in place, and every valuation is the bits of valuing each lot on its own."""
    rng = random.Random(seed)
    names = [f"S{i}USDT" for i in range(8)]
    prices = {s: rng.choice([math.nan, 0.0, rng.uniform(0.1, 9)]) for s in names}

    def batch(symbols: Sequence[str]) -> np.ndarray:
        return np.array([prices[s] for s in symbols])

    def one(symbol: str) -> float | None:
        return None if math.isnan(prices[symbol]) or not prices[symbol] else prices[symbol]

    fast, plain = DustLedger(), DustLedger()
    for _ in range(80):
        symbol, roll, units = rng.choice(names), rng.random(), D(rng.randint(1, 900)) / 100
        for ledger in (fast, plain):
            if roll < 0.5:
                ledger.add(symbol, Lot(units, 1.5, 0.01), 2.0 + roll)
            elif roll < 0.75:
                ledger.take(symbol, D("0.37"))
            else:
                ledger.take(symbol)
        if rng.random() < 0.3:
            prices[rng.choice(names)] = rng.uniform(0.1, 9)
            assert fast.value(one, None, batch) == plain.value(one)
        else:
            moved = {rng.choice(names)} if rng.random() < 0.5 else set()  # empty: only lots changed
            assert fast.value(one, moved, batch) == plain.value(one, moved)
