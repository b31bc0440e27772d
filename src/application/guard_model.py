"""Watch the model while it trades (issue 16 item 8): close its own EV gate when it stops earning.

The loop feeds it every completed trade (the expected net return the model gave at entry, carried on the
Position, and the realised one) and the batches of scored feature rows, one every `drift_sample_ms` (the
scans of one minute score near copies). The first `drift_rows` rows kept are the drift reference, the newest
`drift_rows` are compared with it. When domain.model_health says
degraded, the gate closes (no new entry; open positions keep their exits) with one CRITICAL line, and
stays closed until a restart or `reset()`: a model that failed once must be looked at by a human.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from loguru import logger

from domain.model_health import HealthBounds, ModelVerdict, Shortfall, judge, psi, shortfall_of


@dataclass(frozen=True, slots=True)
class ModelHealth:
    """What the console shows: the latest verdict and, once closed, why the gate is closed."""

    verdict: ModelVerdict
    gate_closed_reason: str | None = None

    @property
    def gate_open(self) -> bool:
        return self.gate_closed_reason is None


def _unjudged() -> ModelVerdict:
    return ModelVerdict(False, Shortfall(0, math.nan, math.nan, math.nan))


class GuardModel:
    def __init__(self, bounds: HealthBounds, feature_names: Sequence[str], mode: str) -> None:
        self._bounds = bounds
        names = list(feature_names)
        self._drift_names = tuple(n for n in bounds.drift_features if n in names)  # unknown names: unwatched
        self._columns = [names.index(n) for n in self._drift_names]
        self._log = logger.bind(mode=mode)
        self.reset()

    @property
    def health(self) -> ModelHealth:
        return ModelHealth(self._verdict, self._closed_reason)

    def gate_closed_reason(self) -> str | None:
        return self._closed_reason

    def reset(self) -> None:
        """Forget every sample and open the gate again (a human looked at the model)."""
        rows, window = self._bounds.drift_rows, self._bounds.window
        self._expected: deque[float] = deque(maxlen=window)
        self._realised: deque[float] = deque(maxlen=window)
        self._reference: list[npt.NDArray[np.float64]] = []
        self._recent: deque[npt.NDArray[np.float64]] = deque(maxlen=rows)
        self._verdict, self._next_sample_ms = _unjudged(), 0
        self._closed_reason: str | None = None

    def trade_closed(self, expected_pct: float, realised_pct: float) -> None:
        if not math.isfinite(expected_pct):  # a trade the model did not price (recovered, unprotected)
            return
        self._expected.append(expected_pct)
        self._realised.append(realised_pct)
        self._judge()

    def rows_scored(self, rows: npt.NDArray[np.float64], now_ms: int) -> None:
        if not self._columns or now_ms < self._next_sample_ms:
            return
        self._next_sample_ms = now_ms + self._bounds.drift_sample_ms
        for row in rows[:, self._columns]:
            if len(self._reference) < self._bounds.drift_rows:
                self._reference.append(row)
            else:
                self._recent.append(row)
        if len(self._recent) == self._bounds.drift_rows:
            self._judge()

    def _drift(self) -> dict[str, float]:
        if len(self._recent) < self._bounds.drift_rows:
            return {}
        reference, recent = np.array(self._reference), np.array(self._recent)
        return {name: psi(reference[:, k], recent[:, k], self._bounds.psi_bins)
                for k, name in enumerate(self._drift_names)}

    def _judge(self) -> None:
        shortfall = shortfall_of(list(self._expected), list(self._realised), self._bounds.window)
        self._verdict = judge(shortfall, self._drift(), self._bounds)
        if self._verdict.degraded and self._closed_reason is None:
            self._closed_reason = f"model degraded: {self._verdict.reason}"
            self._log.critical("{}: EV gate closed until a restart or the operator reopens it",
                               self._closed_reason)
