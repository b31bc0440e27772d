"""execution.symbol_fees: one table read by the loop, the paper simulator and a backtest's simulator."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from adapters.simulated.costs import SimulatorCosts
from bootstrap.commands.venue import venue_costs
from bootstrap.mapping import backtest_simulator_costs, loop_config_from, paper_simulator_costs
from bootstrap.settings_model import Settings
from domain.fees import FeeSchedule


def settings(**execution: object) -> Settings:
    return Settings.model_validate({"execution": execution})


def test_by_default_every_symbol_pays_the_global_rates() -> None:
    table = loop_config_from(settings()).execution.fee_table
    assert table.symbols == {} and table.default == FeeSchedule(0.001, 0.001)
    assert paper_simulator_costs(settings()).symbol_fees == {}


def test_a_zero_fee_pair_reaches_the_loop_and_both_simulators() -> None:
    chosen = settings(bnb_fee_discount=True, symbol_fees={
        "btc/fdusd": {"taker": 0.0, "maker": 0.0},
        "ETHUSDC": {"taker": 0.0008, "maker": 0.0, "bnb_discount": False}})
    table = loop_config_from(chosen).execution.fee_table
    assert table.for_symbol("BTCFDUSD") == FeeSchedule(0.0, 0.0, bnb_discount=True)
    assert table.for_symbol("ETHUSDC").effective_taker == 0.0008
    assert table.for_symbol("XRPUSDT").effective_taker == pytest.approx(0.00075)
    paper = paper_simulator_costs(chosen)
    assert paper.fee_rate(maker=False, symbol="ETHUSDC") == Decimal("0.0008") and paper.bnb_discount
    replay = backtest_simulator_costs(chosen)  # the discount folded into the rates
    assert replay.fee_rate(maker=False, symbol="ETHUSDC") == Decimal("0.0008")
    assert replay.fee_rate(maker=False, symbol="XRPUSDT") == Decimal("0.00075")


def test_a_rate_beyond_one_percent_is_refused_with_its_key() -> None:
    with pytest.raises(ValidationError, match=r"symbol_fees\.BTCFDUSD\.taker"):
        settings(symbol_fees={"BTCFDUSD": {"taker": 0.5, "maker": 0.0}})


def test_the_venue_account_pays_the_configs_fees_without_simulated_latency() -> None:
    assert venue_costs(settings()) == SimulatorCosts(latency_ms=0)
    zero = venue_costs(settings(symbol_fees={"BTCFDUSD": {"taker": 0.0, "maker": 0.0}}))
    assert zero.schedule("BTCFDUSD").effective_taker == 0.0 and zero.latency_ms == 0
