"""The generic training input: a feature matrix with its labels, targets, times and symbols."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, overload

import numpy as np
import numpy.typing as npt

from adapters.onnx.card import LabelCard
from domain.splits import TimeRange


class SortedTimes(Sequence[int]):
    """A read-only view of sorted int64 times that is a Sequence[int] (for domain.splits)."""

    def __init__(self, times: npt.NDArray[np.int64]) -> None:
        self._times = times

    def __len__(self) -> int:
        return len(self._times)

    @overload
    def __getitem__(self, index: int) -> int: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[int]: ...

    def __getitem__(self, index: int | slice) -> int | Sequence[int]:
        if isinstance(index, slice):
            return SortedTimes(self._times[index])
        return int(self._times[index])


@dataclass(frozen=True)
class SymbolColumn:
    """Each row's symbol as a small code into `names` (sorted, unique): 10 M rows of 10-character
    strings would hold 400 MB, their codes 20 MB. Indexing gives the strings of the rows asked for."""

    names: npt.NDArray[np.str_]
    codes: npt.NDArray[np.integer[Any]]

    @classmethod
    def of(cls, symbols: npt.NDArray[np.str_]) -> SymbolColumn:
        names, codes = np.unique(symbols, return_inverse=True)
        return cls(names, codes.astype(code_dtype(len(names))))

    def __len__(self) -> int:
        return len(self.codes)

    def __getitem__(self, index: npt.NDArray[np.int64] | npt.NDArray[np.bool_] | slice
                    ) -> npt.NDArray[np.str_]:
        strings: npt.NDArray[np.str_] = self.names[self.codes[index]]
        return strings

    def take(self, index: npt.NDArray[np.int64]) -> SymbolColumn:
        """The symbols of rows `index`, still as codes."""
        return SymbolColumn(self.names, self.codes[index])


def code_dtype(count: int) -> type[np.integer[Any]]:
    """The smallest signed integer type that numbers `count` symbols."""
    return np.int16 if count <= np.iinfo(np.int16).max else np.int32


@dataclass(frozen=True)
class LabelledRows:
    """One row per (symbol, bar). `label` is 0/1; `move_pct` is the regressor's target (percent, NaN
    where unknown); `net_return_pct` is the realised net return of the labelled trade when known
    (outcome labels) at the default costs, used to fit the expected-net-return map (a symbol of the fee
    table is labelled at its own rates: adapters/training/labels.py). Every array has n rows, except
    `features` when `feature_rows` is given: then it holds only those rows' features (sorted row
    numbers), the rows a fit reads (the memory of the rest is never spent); read it through
    `features_at`."""

    features: npt.NDArray[np.float32]  # (n, F), or (len(feature_rows), F)
    label: npt.NDArray[np.float64]  # (n,) 0.0 / 1.0
    move_pct: npt.NDArray[np.float64]  # (n,)
    time_ms: npt.NDArray[np.int64]  # (n,) bar open time
    symbol: SymbolColumn  # (n,)
    feature_names: tuple[str, ...]
    feature_version: str
    label_card: LabelCard
    net_return_pct: npt.NDArray[np.float64] | None = None
    sources: tuple[str, ...] = ()
    sampling: str = "every bar"
    feature_rows: npt.NDArray[np.int64] | None = None
    sorted_times: SortedTimes = field(init=False, repr=False)

    def __post_init__(self) -> None:
        n = len(self.label)
        held = n if self.feature_rows is None else len(self.feature_rows)
        if self.features.ndim != 2 or self.features.shape != (held, len(self.feature_names)):
            raise ValueError(f"features shape {self.features.shape} != ({held}, {len(self.feature_names)})")
        for name in ("move_pct", "time_ms", "symbol"):
            if len(getattr(self, name)) != n:
                raise ValueError(f"{name} has {len(getattr(self, name))} rows, label has {n}")
        if self.net_return_pct is not None and len(self.net_return_pct) != n:
            raise ValueError(f"net_return_pct has {len(self.net_return_pct)} rows, label has {n}")
        if n and not np.isin(self.label, (0.0, 1.0)).all():
            raise ValueError("label must be 0 or 1 on every row (drop undefined labels first)")
        t = self.time_ms
        in_order = len(t) < 2 or bool(np.all(t[1:] >= t[:-1]))  # the loader's rows are: no second copy
        object.__setattr__(self, "sorted_times", SortedTimes(t if in_order else np.sort(t)))

    def __len__(self) -> int:
        return len(self.label)

    def mask(self, part: TimeRange) -> npt.NDArray[np.bool_]:
        in_part: npt.NDArray[np.bool_] = (self.time_ms >= part.start_ms) & (self.time_ms < part.end_ms)
        return in_part

    def column(self, name: str) -> npt.NDArray[np.float64]:
        return self.features[:, self.feature_names.index(name)].astype(np.float64)

    def features_at(self, index: npt.NDArray[np.int64]) -> npt.NDArray[np.float32]:
        """The features of rows `index` (a copy); ValueError for a row whose features were not kept."""
        if self.feature_rows is None:
            return self.features[index]
        where = np.searchsorted(self.feature_rows, index)
        if len(index) and (where.max() >= len(self.feature_rows)
                           or not np.array_equal(self.feature_rows[where], index)):
            raise ValueError("features asked for rows that were not kept (see load_training_rows)")
        return self.features[where]

    def column_at(self, name: str, index: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
        return self.features_at(index)[:, self.feature_names.index(name)].astype(np.float64)
