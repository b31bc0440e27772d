"""Outcome labels at each symbol's own fees (issue 16 item 5): a zero-fee pair's label counts the trade it
would really make; every other symbol, and the net return the EV map learns, stay at the default rates."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from adapters.onnx.card import ModelCard
from adapters.training.labels import LabelSpec
from adapters.training.report import _intro
from adapters.training.rows import LabelledRows
from adapters.training.sources import load_training_rows
from domain.features import WARMUP_BARS
from domain.outcome import ExitRules, TradeCosts
from domain.symbol_costs import SymbolCosts

RULES = ExitRules(take_profit_pct=0.003, stop_loss_pct=0.004, timeout_bars=5)
TAKER = TradeCosts()  # 0.1% each leg: a 0.24% round trip with slippage
FREE = TradeCosts(entry_fee=0.0, take_profit_fee=0.0, exit_fee=0.0)  # a zero-fee pair (slippage still paid)
FREE_PAIR, OTHER = "BTCUSDT", "ETHUSDT"


@pytest.fixture(scope="module")
def klines(sample_klines: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Real 1m klines of two pairs (data/sample), enough bars for the features and a day of labels."""
    frame = pd.read_csv(sample_klines)
    two = pd.concat([frame[frame["symbol"] == s].head(WARMUP_BARS + 1_500) for s in (FREE_PAIR, OTHER)])
    path = tmp_path_factory.mktemp("labels") / "two.csv"
    two.to_csv(path, index=False)
    return path


def _of(rows: LabelledRows, symbol: str, name: str) -> np.ndarray:
    return np.asarray(getattr(rows, name))[rows.symbol[:] == symbol]


def test_a_zero_fee_pair_is_labelled_at_its_own_fees_and_nothing_else_moves(klines: Path) -> None:
    global_fees = load_training_rows([klines], LabelSpec("outcome", 5, 0.002, RULES, TAKER))
    table = load_training_rows([klines], LabelSpec("outcome", 5, 0.002, RULES,
                                                   SymbolCosts(TAKER, {FREE_PAIR: FREE})))
    all_free = load_training_rows([klines], LabelSpec("outcome", 5, 0.002, RULES, FREE))
    np.testing.assert_array_equal(table.time_ms, global_fees.time_ms)
    free_label, taker_label = _of(table, FREE_PAIR, "label"), _of(global_fees, FREE_PAIR, "label")
    # The pair's trades that only its zero fees make pay are positives now, and no positive is lost.
    assert (free_label > taker_label).sum() > 20 and not (free_label < taker_label).any()
    np.testing.assert_array_equal(free_label, _of(all_free, FREE_PAIR, "label"))
    np.testing.assert_array_equal(_of(table, OTHER, "label"), _of(global_fees, OTHER, "label"))
    # What the EV map learns stays at the default rates: the bot adds the pair's fee difference itself.
    assert table.net_return_pct is not None and global_fees.net_return_pct is not None
    np.testing.assert_array_equal(table.net_return_pct, global_fees.net_return_pct)


def test_the_card_records_the_fee_table_the_labels_used(klines: Path) -> None:
    spec = LabelSpec("outcome", 5, 0.002, RULES, SymbolCosts(TAKER, {FREE_PAIR: FREE, "XRPUSDT": TAKER}))
    policy = spec.card().exit_policy
    assert policy is not None and policy.round_trip_cost_pct == pytest.approx(TAKER.round_trip_pct)
    assert list(policy.symbol_costs) == [FREE_PAIR]  # a symbol listed at the default rates pays them
    own = policy.symbol_costs[FREE_PAIR]
    assert (own.entry_fee, own.exit_fee) == (0.0, 0.0)
    assert own.round_trip_cost_pct == pytest.approx(FREE.round_trip_pct)
    assert "symbol_costs" in json.loads(spec.card().model_dump_json())["exit_policy"]


def test_without_a_fee_table_the_card_reads_as_before() -> None:
    for costs in (TAKER, SymbolCosts(TAKER)):
        dumped = json.loads(LabelSpec("outcome", 5, 0.002, RULES, costs).card().model_dump_json())
        assert "symbol_costs" not in dumped["exit_policy"]
        assert dumped == json.loads(LabelSpec("outcome", 5, 0.002, RULES, TAKER).card().model_dump_json())


def test_the_report_names_the_symbols_labelled_at_their_own_rates(repo_root: Path) -> None:
    committed = ModelCard.read(repo_root / "models" / "onnx" / "scalper-20261124-003619.json")
    assert not any(line.startswith("Label costs") for line in _intro(committed, []))  # no table: as before
    label = LabelSpec("outcome", 5, 0.002, RULES, SymbolCosts(TAKER, {FREE_PAIR: FREE})).card()
    lines = _intro(committed.model_copy(update={"label": label}), [])
    assert f"Label costs: a {TAKER.round_trip_pct:.3f}% round trip, but at their own rates: " \
           f"{FREE_PAIR} {FREE.round_trip_pct:.3f}%" in lines
