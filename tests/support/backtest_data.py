"""Shared pieces of the backtest tests: scripted models, a synthetic falling market, a real data slice."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from adapters.history.klines import load_klines
from bootstrap.settings import load_settings
from bootstrap.settings_model import Settings
from domain.features import FEATURE_NAMES, KlineArrays
from domain.signal import Prediction
from domain.time_units import day_start_ms as day_ms

Floats = npt.NDArray[np.float64]
FIVE_PAIRS = "freqtrade_userdata/binance_spot_1m_2026-03-23_2026-04-22_5pairs.csv.xz"
SLICE_START, SLICE_END = "2026-03-26", "2026-03-28"  # two traded days (+ the loaded warm-up before)
RETURN_1 = FEATURE_NAMES.index("return_1")


class ScriptedModel:
    """Scores a row from its 1-bar return (feature return_1, in percent): `p_up` above `threshold`,
    `p_down` below (NaN stays NaN). Expected net return `net` for every row."""

    def __init__(self, threshold: float = 0.0, p_up: float = 0.9, p_down: float = 0.1, net: float = 0.05,
                 move: float = 0.5) -> None:
        self.threshold, self.p_up, self.p_down, self.net, self.move = threshold, p_up, p_down, net, move
        self.rows_scored = 0

    @property
    def feature_names(self) -> Sequence[str]:
        return FEATURE_NAMES

    @property
    def version(self) -> str:
        return "scripted"

    @property
    def ev_gate_margin_pct(self) -> float | None:
        return None

    def predict(self, symbols: Sequence[str], rows: Floats, time_ms: int) -> list[Prediction]:
        r = rows[:, RETURN_1]
        self.rows_scored += len(rows)
        p = np.where(np.isnan(r), np.nan, np.where(r > self.threshold, self.p_up, self.p_down))
        return [Prediction(s, float(v), abs(float(v) - 0.5) * 2, self.move, time_ms, self.net)
                for s, v in zip(symbols, p, strict=True)]


def settings_for(tmp: Path, **sections: dict[str, Any]) -> Settings:
    """Default settings with a large capital (no trade near the 5 USDT minimum) and reports in `tmp`."""
    overrides: dict[str, Any] = {"risk": {"initial_capital": 1000.0},
                                 "signal": {"min_probability": 0.6, "min_confidence": 0.1},
                                 "backtest": {"report_dir": str(tmp)}, "logging": {"file_enabled": False}}
    for name, values in sections.items():
        overrides[name] = {**overrides.get(name, {}), **values}
    return load_settings(None, overrides=overrides)


@cache
def _real_slice(data: str) -> dict[str, KlineArrays]:
    return load_klines(Path(data) / FIVE_PAIRS, None, day_ms(SLICE_START), day_ms(SLICE_END))


def real_slice(shared_data: Path, symbols: Sequence[str] | None = None) -> dict[str, KlineArrays]:
    """Two days of the 5-pair 2026 file (BNB BTC ETH SOL XRP) plus the warm-up loaded before them."""
    found = _real_slice(str(shared_data))
    return {s: k for s, k in found.items() if symbols is None or s in symbols}


def falling_market(symbols: Sequence[str], days: int, start_ms: int) -> dict[str, KlineArrays]:
    """A 20-bar cycle: +0.5% (the bar a scripted model buys), -3% (the stop is hit), then 18 bars of
    +0.15% back up. Every long entered after the +0.5% bar loses."""
    n = days * 1440
    steps = np.tile(np.array([1.005, 0.97] + [1.0015] * 18), n // 20 + 1)[:n]
    out = {}
    for i, symbol in enumerate(symbols):
        close = 100.0 * (1 + i) * np.cumprod(steps)
        open_ = np.concatenate(([close[0] / steps[0]], close[:-1]))
        high = np.maximum(open_, close) * 1.0002
        low = np.minimum(open_, close) * 0.9998
        times = start_ms + 60_000 * np.arange(n, dtype=np.int64)
        out[symbol] = KlineArrays(times, open_, high, low, close, np.full(n, 1000.0))
    return out
