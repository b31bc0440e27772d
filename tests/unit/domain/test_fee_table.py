"""Commission rates per symbol: the BNB discount on the standard part only, and a symbol's own rates."""

from __future__ import annotations

import numpy as np
import pytest

from domain.fee_table import FeeTable
from domain.fees import FeeSchedule

STANDARD = FeeSchedule(0.001, 0.001)
ZERO = FeeSchedule(0.0, 0.0)


def test_the_bnb_discount_takes_its_share_off_the_standard_part_never_off_tax_or_special() -> None:
    fees = FeeSchedule(0.001, 0.0008, bnb_discount=True, taker_extra=0.0002, maker_extra=0.0001)
    assert fees.effective_taker == pytest.approx(0.001 * 0.75 + 0.0002)
    assert fees.effective_maker == pytest.approx(0.0008 * 0.75 + 0.0001)
    assert FeeSchedule(0.001, 0.001, True, discount_rate=0.1).effective_taker == pytest.approx(0.0009)
    assert fees.with_bnb(False).effective_taker == pytest.approx(0.0012)


def test_a_symbol_pays_its_own_rates_every_other_symbol_the_default() -> None:
    table = FeeTable(STANDARD, {"BTCFDUSD": ZERO})
    assert table.for_symbol("BTCFDUSD") == ZERO and table.for_symbol("ETHUSDT") == STANDARD
    assert table.with_symbol("ETHUSDT", ZERO).for_symbol("ETHUSDT") == ZERO
    assert table.for_symbol("ETHUSDT") == STANDARD  # with_symbol made a new table


def test_the_round_trip_shift_is_what_a_symbol_saves_over_the_default() -> None:
    table = FeeTable(STANDARD, {"BTCFDUSD": ZERO, "DEARUSDT": FeeSchedule(0.002, 0.001),
                                "SAMEUSDT": STANDARD})
    assert table.round_trip_shift_pct("BTCFDUSD", maker_exit=True) == pytest.approx(0.2)
    assert table.round_trip_shift_pct("DEARUSDT", maker_exit=True) == pytest.approx(-0.1)
    assert table.round_trip_shift_pct("DEARUSDT", maker_exit=False) == pytest.approx(-0.2)
    assert table.round_trip_shift_pct("ETHUSDT", maker_exit=True) == 0.0
    assert table.round_trip_shift_pct("SAMEUSDT", maker_exit=True) == 0.0


def test_the_table_as_arrays_for_array_code() -> None:
    table = FeeTable(FeeSchedule(0.001, 0.0008, bnb_discount=True), {"BTCFDUSD": ZERO}).with_bnb(True)
    taker, maker = table.effective_rates(["ETHUSDT", "BTCFDUSD"])
    np.testing.assert_allclose(taker, [0.00075, 0.0])
    np.testing.assert_allclose(maker, [0.0006, 0.0])
    assert taker.dtype == np.float64 and taker.shape == (2,)
