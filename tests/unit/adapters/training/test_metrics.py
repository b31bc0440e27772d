"""Evaluation figures on synthetic parts whose answers are known."""

from __future__ import annotations

import numpy as np

from adapters.training import metrics
from adapters.training.rows import SymbolColumn

DAY_MS = 86_400_000


def test_per_month_names_each_month_in_time_order_with_its_rows() -> None:
    start = np.datetime64("2023-12-30", "ms").astype(np.int64)  # 2 days of December, then January's
    times = start + DAY_MS * np.arange(0, 40, dtype=np.int64)  # 31 and February's first 7
    label = (np.arange(40) % 2).astype(np.float64)
    score = label + 0.1  # a perfect ranking: AUC 1 in every month
    out = metrics.per_month(label, score, np.full(40, np.nan), times)
    assert list(out) == ["2023-12", "2024-01", "2024-02"]
    assert [out[m]["rows"] for m in out] == [2.0, 31.0, 7.0]
    assert out["2024-01"]["auc"] == 1.0 and out["2024-01"]["baseline_auc"] is None
    assert out["2023-12"]["base_rate"] == 0.5


def test_per_symbol_auc_reads_codes_names_in_order_and_skips_thin_symbols() -> None:
    symbols = SymbolColumn.of(np.array(["SOLUSDT"] * 300 + ["ARBUSDT"] * 250 + ["BTCUSDT"] * 50))
    label = (np.arange(600) % 2).astype(np.float64)
    score = np.where(symbols[:] == "SOLUSDT", label, 1 - label)  # SOL ranked right, ARB backwards
    out = metrics.per_symbol_auc(label, score, symbols)
    assert list(out) == ["ARBUSDT", "SOLUSDT"]  # BTC's 50 rows are under MIN_ROWS_PER_SYMBOL
    assert out["ARBUSDT"] == {"rows": 250.0, "base_rate": 0.5, "auc": 0.0}
    assert out["SOLUSDT"]["auc"] == 1.0
