"""The committed model's recipe (models/onnx/README.md) still makes the committed model: the same .onnx
bytes and the same card figures. Training's memory work (issue 16 item 7) may change how the rows are
held, never what is learnt from them. Slow: the full recipe reads 10 M rows (~2-5 min)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from adapters.checksums import sha256_of
from bootstrap.__main__ import main

VERSION = "20261124-003619"
RECIPE = [
    "binancedatagetter_vision/binance_spot_1m_2023-01-01_2023-09-30_BTC_ETH_SOL_ARB.csv.xz",
    "binancedatagetter_vision/binance_spot_1m_2023-10-01_2024-04-30_BTC_ETH_SOL_ARB.csv.xz",
    "freqtrade_userdata/binance_spot_1m_2020-05-21_2020-06-20_18pairs.csv.xz",
    "freqtrade_userdata/binance_spot_1m_2021-04-02_2021-05-31_96pairs.csv.xz",
    "freqtrade_userdata/binance_spot_1m_2023-03-16_2023-05-01_13pairs.csv.xz",
    "freqtrade_userdata/binance_spot_1m_2025-06-01_2025-07-01_BTC_ETH.csv.xz",
    "freqtrade_userdata/binance_spot_1m_2026-03-23_2026-04-22_5pairs.csv.xz",
]
# What training writes into the card (edge_report and lab_gate are recorded later by other commands).
LEARNT = ("calibration", "expected_net_return", "ev_gate", "recommended_thresholds", "metrics", "train",
          "validation", "test", "label", "row_sampling", "feature_names", "gap_ms")


@pytest.mark.slow
def test_the_recipe_makes_the_committed_model_byte_for_byte(tmp_path: Path, shared_data: Path,
                                                             repo_root: Path) -> None:
    committed = repo_root / "models" / "onnx" / f"scalper-{VERSION}"
    config = tmp_path / "quiet.yaml"
    config.write_text("logging: {file_enabled: false, level: ERROR}\n", encoding="utf-8")
    data = [arg for name in RECIPE for arg in ("--data", str(shared_data / name))]
    assert main(["--config", str(config), "train", "--label", "outcome", "--out", str(tmp_path),
                 "--version", VERSION, "--no-progress", *data, "--validation-from", "2023-06-04",
                 "--test-from", "2026-03-23", "--stride", "26", "--n-estimators", "250",
                 "--learning-rate", "0.08"]) == 0
    made = tmp_path / f"scalper-{VERSION}"
    assert sha256_of(made.with_suffix(".onnx")) == sha256_of(committed.with_suffix(".onnx"))
    card, expected = (json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
                      for path in (made, committed))
    for field in LEARNT:
        assert card[field] == expected[field], field
    card["training"].pop("fit_seconds")
    expected["training"].pop("fit_seconds")
    assert card["training"] == expected["training"]
