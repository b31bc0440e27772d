"""Evaluation figures on synthetic parts whose answers are known."""

from __future__ import annotations

import numpy as np

from adapters.training import metrics

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
