"""The lab's cost model per symbol: a fee table's zero-fee pair pays nothing in any tier, its trades are
priced so, and the break-even and fee-tier figures use each trade's real rate."""

from __future__ import annotations

import numpy as np
import pytest

from application.research.lab_costs import lab_costing, lab_costs
from application.research.period_bars import PeriodBars
from application.research.trial_params import TrialParams
from domain.outcome import ExitRules
from domain.statistics.break_even import BINANCE_SPOT_TIERS, FeeTier, break_even
from domain.statistics.trust import Costing
from domain.symbol_costs import SymbolCosts

ZERO = {"BTCFDUSD": FeeTier("BTCFDUSD", 0.0, 0.0)}
REGULAR = TrialParams(fee_tier="regular")


def two_symbol_bars() -> PeriodBars:
    n = 20
    prices = 100 + np.arange(n, dtype=np.float64) * 0.01  # the same gentle rise on both symbols
    col = np.concatenate([prices, prices])
    return PeriodBars("p", ("BTCFDUSD", "BTCUSDT"), np.repeat(np.arange(2), n),
                      np.tile(np.arange(n, dtype=np.int64) * 60_000, 2), col, col + 0.05, col - 0.05, col,
                      np.zeros((2 * n, 1), dtype=np.float32), np.zeros(2 * n),
                      np.zeros(2 * n, dtype=np.bool_),
                      (slice(0, n), slice(n, 2 * n)))


def test_a_zero_fee_pair_of_the_table_pays_no_fee_in_any_tier() -> None:
    for tier in ("regular", "regular + BNB"):
        costs = lab_costs(TrialParams(fee_tier=tier), BINANCE_SPOT_TIERS, 0.02, ZERO)
        zero = costs.for_symbol("BTCFDUSD")
        assert (zero.entry_fee, zero.take_profit_fee, zero.exit_fee) == (0.0, 0.0, 0.0)
        assert costs.for_symbol("BTCUSDT") == costs.default and costs.default.entry_fee > 0


def test_each_symbols_trades_are_simulated_at_its_own_rates() -> None:
    costs = lab_costs(REGULAR, BINANCE_SPOT_TIERS, 0.02, ZERO)
    bars = two_symbol_bars()
    net = bars.outcomes(ExitRules(0.5, 0.5, 3), costs).net_return_pct
    zero, standard = net[:20], net[20:]
    assert np.isfinite(zero[:10]).all()
    np.testing.assert_allclose(zero[:10] - standard[:10], 0.2, atol=0.002)  # both fees, to first order


def test_the_table_as_arrays_for_a_kernel() -> None:
    columns = lab_costs(REGULAR, BINANCE_SPOT_TIERS, 0.02, ZERO).columns(("BTCUSDT", "BTCFDUSD"))
    np.testing.assert_allclose(columns["entry_fee"], [0.001, 0.0])
    np.testing.assert_allclose(columns["slippage_pct"], [0.0002, 0.0002])


def test_the_break_even_is_priced_at_the_trades_own_rates() -> None:
    costs = lab_costs(REGULAR, BINANCE_SPOT_TIERS, 0.02, ZERO)
    costing = lab_costing(REGULAR, costs, BINANCE_SPOT_TIERS, 0.02, ["BTCFDUSD", "BTCUSDT", "BTCUSDT",
                                                                      "BTCUSDT"])
    assert costing.own_share == 0.25
    assert costing.own_round_trip_pct == pytest.approx(0.04)  # slippage only
    assert costing.round_trip_pct == pytest.approx((0.04 + 3 * 0.24) / 4)
    figures = break_even(0.01, costing.round_trip_pct, maker_entry=False, slippage_pct=0.02,
                         own_share=costing.own_share, own_round_trip_pct=costing.own_round_trip_pct)
    assert figures.round_trip_pct == pytest.approx(0.01 + costing.round_trip_pct)
    regular = next(t for t in figures.tiers if t.tier == "regular")
    assert regular.round_trip_pct == pytest.approx(costing.round_trip_pct)
    assert regular.mean_net_pct == pytest.approx(0.01)  # priced as run: the same mean
    zero_fee = next(t for t in figures.tiers if t.tier == "zero-fee pair")
    assert zero_fee.round_trip_pct == pytest.approx(0.04)


def test_without_a_table_the_costing_is_the_tiers_as_before() -> None:
    costs = lab_costs(REGULAR, BINANCE_SPOT_TIERS, 0.02)
    assert costs == SymbolCosts(costs.default, {})
    assert lab_costing(REGULAR, costs, BINANCE_SPOT_TIERS, 0.02, []) == Costing(
        costs.default.round_trip_pct, False, 0.02, BINANCE_SPOT_TIERS)
