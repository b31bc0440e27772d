from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from domain.signal import Prediction


class Model(Protocol):
    """A scoring model: feature rows in the engine's order -> predictions. NaN features are allowed."""

    @property
    def feature_names(self) -> Sequence[str]: ...

    @property
    def version(self) -> str: ...

    @property
    def ev_gate_margin_pct(self) -> float | None:
        """The expected net return (percent) a trade must exceed by the model's own validation (its
        EV gate); None when the model carries no gate. Settings may raise the margin, never lower it."""
        ...

    def predict(self, symbols: Sequence[str], rows: npt.NDArray[np.float64],
                time_ms: int) -> list[Prediction]:
        """One prediction per row; `rows` has shape (len(symbols), len(feature_names))."""
        ...


Floats = npt.NDArray[np.float64]
Scores = tuple[Floats, Floats, Floats, Floats]  # probability, confidence, move, expected net return


@runtime_checkable
class BatchScorer(Protocol):
    """A model that scores many rows without building Prediction objects (adapters.onnx.model)."""

    def score(self, rows: npt.NDArray[np.float64]) -> Scores: ...
