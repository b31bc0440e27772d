"""Shared by the lab's tests: a slice of real 1m klines and a fake learner that scores by one feature."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from adapters.history.loader import clean_history, load_history
from adapters.history.schema import to_kline_arrays
from domain.features import FEATURE_NAMES, KlineArrays

FIVE_PAIRS = "freqtrade_userdata/binance_spot_1m_2026-03-23_2026-04-22_5pairs.csv.xz"
Floats = npt.NDArray[np.float64]


def real_klines(shared_data: Path, days: float, symbols: tuple[str, ...] = ("BTCUSDT", "ETHUSDT")
                ) -> dict[str, KlineArrays]:
    out = {}
    for symbol, history in load_history(shared_data / FIVE_PAIRS, symbols=symbols).items():
        frame = clean_history(history).frame
        first = int(frame["open_time_ms"].iloc[0])
        out[symbol] = to_kline_arrays(frame[frame["open_time_ms"] < first + days * 86_400_000])
    return out


@dataclass
class OneFeatureModel:
    column: int

    def score(self, features: npt.NDArray[np.float32]) -> Floats:
        return np.asarray(features[:, self.column], dtype=np.float64) if len(features) else np.empty(0)

    def expected_net_pct(self, score: Floats) -> Floats:
        return score * 0.0 - 0.1


@dataclass
class FakeLearner:
    """Scores by RSI (or column 0 of a subset); records the rows it was fitted on."""

    fitted_rows: list[int] = field(default_factory=list)

    def fit(self, x_train: npt.NDArray[np.float32], y_train: Floats, x_val: npt.NDArray[np.float32],
            y_val: Floats, net_val: Floats) -> OneFeatureModel:
        self.fitted_rows.append(len(x_train))
        column = FEATURE_NAMES.index("rsi_14") if x_train.shape[1] == len(FEATURE_NAMES) else 0
        return OneFeatureModel(column)
