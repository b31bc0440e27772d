"""A study's fee table: costs.symbol_fees inline, or a config/fees/*.yaml file underneath the spec."""

from __future__ import annotations

from pathlib import Path

import pytest

from bootstrap.lab_spec import load_spec
from domain.statistics.break_even import BINANCE_SPOT_TIERS, FeeTier

REPO = Path(__file__).resolve().parents[3]


def spec_file(folder: Path, costs: str) -> Path:
    path = folder / "study.yaml"
    path.write_text(f"name: fees\ncosts:\n{costs}\n", encoding="utf-8")
    return path


def test_the_shipped_fee_table_is_the_default_tiers(tmp_path: Path) -> None:
    table = REPO / "config" / "fees" / "binance-spot.yaml"
    spec = load_spec(spec_file(tmp_path, f"  fee_table: {table}"))
    assert spec.tiers == BINANCE_SPOT_TIERS and spec.symbol_fees == {}


def test_inline_symbol_fees_add_to_the_files_and_win(tmp_path: Path) -> None:
    (tmp_path / "fees.yaml").write_text("symbol_fees: {BTCFDUSD: [0.0, 0.0], ETHUSDC: [0.0, 0.1]}\n"
                                        "fee_tiers: {regular: [0.1, 0.1]}\n", encoding="utf-8")
    spec = load_spec(spec_file(tmp_path, "  fee_table: fees.yaml\n  symbol_fees: {eth/usdc: [0.02, 0.08]}"))
    assert spec.symbol_fees == {"BTCFDUSD": FeeTier("BTCFDUSD", 0.0, 0.0),
                                "ETHUSDC": FeeTier("ETHUSDC", 0.02, 0.08)}
    assert spec.tiers == (FeeTier("regular", 0.1, 0.1),)


def test_a_bad_fee_table_is_named(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"costs\.symbol_fees must map"):
        load_spec(spec_file(tmp_path, "  symbol_fees: {BTCFDUSD: zero}"))
    with pytest.raises(ValueError, match="cannot read"):
        load_spec(spec_file(tmp_path, "  fee_table: nowhere.yaml"))
    with pytest.raises(ValueError, match=r"unknown key costs\.fees"):
        load_spec(spec_file(tmp_path, "  fees: 1"))
