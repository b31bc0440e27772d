"""The 70/15/15 reproduction over a period kept as klines gives reproduce()'s figures on its whole bars."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt

from adapters.research.lab_data import load_lab_data
from adapters.training.edge_learner import LightGbmEdgeLearner
from adapters.training.lightgbm_trainer import BoosterParams
from application.research.period_bars import build_period_bars
from application.research.period_source import PeriodSource
from application.research.report_reproduction import reproduce_streamed
from application.research.reproduce_spec_label import reproduce
from domain.outcome import ExitRules, TradeCosts
from domain.scanner_rules import ScannerRules

FILE = "freqtrade_userdata/binance_spot_1m_2026-03-23_2026-04-22_5pairs.csv.xz"
PARAMS = BoosterParams(n_estimators=30, min_child_samples=50, early_stopping_rounds=10, n_jobs=1)
RULES, COSTS = ExitRules(0.003, 0.004, 5), TradeCosts(0.001, 0.001, 0.001, 0.0)


class _EveryThirdStops(LightGbmEdgeLearner):
    """Early-stops on every third validation row (the real learner samples only past 150k rows)."""

    def stopping_rows(self, validation_rows: int) -> npt.NDArray[np.int64]:
        return np.arange(0, validation_rows, 3, dtype=np.int64)


def test_the_streamed_reproduction_gives_the_same_figures(shared_data: Path) -> None:
    klines = load_lab_data([shared_data / FILE], max_days=5).klines
    whole = build_period_bars("2026-03", klines, ScannerRules())
    source = PeriodSource("2026-03", klines, ScannerRules())
    for learner in (LightGbmEdgeLearner(PARAMS), _EveryThirdStops(PARAMS)):
        expected = reproduce(whole, learner, RULES, COSTS, max_train_rows=2_000)
        streamed = reproduce_streamed(source, learner, RULES, COSTS, max_train_rows=2_000)
        assert streamed == expected
        assert expected.test_rows > 1000 and expected.rows[1].count > 0
