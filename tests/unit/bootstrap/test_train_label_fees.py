"""`train`'s outcome label reads the settings' fee table (execution.symbol_fees): each listed symbol at its
own effective rates, every other one at the default; no table, the one default as before."""

from __future__ import annotations

import pytest

from bootstrap import mapping
from bootstrap.commands.train import label_spec
from bootstrap.settings_model import Settings
from domain.symbol_costs import SymbolCosts


def settings(**execution: object) -> Settings:
    return Settings.model_validate({"execution": execution})


def test_without_a_fee_table_every_symbol_is_labelled_at_the_default_rates() -> None:
    plain = settings()
    spec = label_spec("outcome", plain)
    assert isinstance(spec.costs, SymbolCosts) and spec.own_costs() == {}
    assert spec.costs_for("BTCFDUSD") == spec.default_costs == mapping.trade_costs(plain)


def test_a_zero_fee_pair_of_the_table_is_labelled_at_its_own_effective_rates() -> None:
    chosen = settings(bnb_fee_discount=True, maker_take_profit=True, symbol_fees={
        "btc/fdusd": {"taker": 0.0, "maker": 0.0}, "ETHUSDC": {"taker": 0.0008, "maker": 0.0002}})
    spec = label_spec("outcome", chosen)
    free, usdc, default = spec.costs_for("BTCFDUSD"), spec.costs_for("ETHUSDC"), spec.costs_for("XRPUSDT")
    assert free is not None and usdc is not None and default is not None
    assert (free.entry_fee, free.take_profit_fee, free.exit_fee) == (0.0, 0.0, 0.0)
    assert free.slippage_pct == default.slippage_pct  # a zero-fee pair still slips
    assert usdc.entry_fee == pytest.approx(0.0006) and usdc.take_profit_fee == pytest.approx(0.00015)
    assert default.entry_fee == pytest.approx(0.00075)  # the BNB discount on the default rates
    policy = spec.card().exit_policy
    assert policy is not None and sorted(policy.symbol_costs) == ["BTCFDUSD", "ETHUSDC"]


def test_the_spec_label_has_no_costs() -> None:
    assert label_spec("spec", settings(symbol_fees={"BTCFDUSD": {"taker": 0.0, "maker": 0.0}})).costs is None
