from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt

from domain.signal import Prediction


class Model(Protocol):
    """A scoring model: feature rows in the engine's order -> predictions. NaN features are allowed."""

    @property
    def feature_names(self) -> Sequence[str]: ...

    @property
    def version(self) -> str: ...

    def predict(self, symbols: Sequence[str], rows: npt.NDArray[np.float64],
                time_ms: int) -> list[Prediction]:
        """One prediction per row; `rows` has shape (len(symbols), len(feature_names))."""
        ...
