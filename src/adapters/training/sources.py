"""Training rows from data on disk: data-set Parquet files (`python -m bootstrap dataset`) or kline
files/folders (features and labels computed here with the same code as the data-set builder).

Several sources may cover the same (symbol, minute): the row with the most columns wins (a full Binance
kline has taker-buy volume, a freqtrade file does not), then the first source given.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow.parquet as pq

from adapters.history.dataset import symbol_dataset
from adapters.history.histories import read_histories
from adapters.history.loader import clean_history
from adapters.process_heap import release_freed_memory
from adapters.training.labels import LabelSpec, outcome_columns
from adapters.training.rows import LabelledRows, SymbolColumn, code_dtype
from domain.features import FEATURE_NAMES, FEATURE_VERSION

Progress = Callable[[str], None]
KeepFeatures = Callable[[npt.NDArray[np.int64]], npt.NDArray[np.bool_]]  # open times -> rows to hold


def _from_klines(path: Path, spec: LabelSpec, symbols: Iterable[str] | None, progress: Progress,
                 keep: KeepFeatures | None) -> Iterator[_Part]:
    for symbol, history in read_histories(path, symbols):
        clean = clean_history(history)
        rows = symbol_dataset(clean, spec.horizon_bars, spec.threshold)
        if spec.kind == "outcome" and not rows.empty:
            rows = outcome_columns(clean, rows, spec)
        del clean, history
        if not rows.empty:
            yield _part(rows, keep)
        progress(f"{path.name}: {symbol} {len(rows):,} rows")


def _from_dataset(path: Path, spec: LabelSpec, symbols: Iterable[str] | None,
                  keep: KeepFeatures | None) -> Iterator[_Part]:
    meta = pq.read_schema(path).metadata or {}
    version = meta.get(b"feature_version", b"").decode()
    names = json.loads(meta.get(b"feature_names", b"[]").decode() or "[]")
    if version != FEATURE_VERSION or tuple(names) != FEATURE_NAMES:
        raise ValueError(f"{path}: data set of feature version {version!r} does not match the engine's "
                         f"{FEATURE_VERSION!r} (or its feature names differ): rebuild it")
    horizon = int(meta.get(b"label_horizon_bars", b"0").decode() or 0)
    if spec.kind != "spec" or horizon != spec.horizon_bars:
        raise ValueError(f"{path}: a data set holds spec labels of horizon {horizon}; train from kline "
                         "files for another label")
    frame = pd.read_parquet(path)
    if symbols is not None:
        frame = frame[frame["symbol"].isin({s.upper() for s in symbols})]
    yield _part(frame, keep)


@dataclass
class _Part:
    """One source's rows as numpy columns; features (float32, what the ONNX graph takes) only for the
    rows `keep` chose, and every row's count of NaN features (what de-duplication ranks by)."""

    names: npt.NDArray[np.str_]  # the part's symbols, sorted; `codes` index them
    codes: npt.NDArray[np.integer[Any]]  # 2 bytes a row (code_dtype), not 8
    times: npt.NDArray[np.int64]
    label: npt.NDArray[np.float64]
    move: npt.NDArray[np.float64]
    net: npt.NDArray[np.float64] | None
    missing: npt.NDArray[np.int16]
    kept: npt.NDArray[np.bool_]
    features: npt.NDArray[np.float32]
    held: int = 0  # rows of `features` once they went to the spill file


def _part(rows: pd.DataFrame, keep: KeepFeatures | None) -> _Part:
    features = rows[list(FEATURE_NAMES)].to_numpy(np.float32)
    times = rows["open_time_ms"].to_numpy(np.int64)
    kept = np.ones(len(times), dtype=np.bool_) if keep is None else keep(times)
    names, codes = np.unique(rows["symbol"].to_numpy(dtype=np.str_), return_inverse=True)
    net = rows["net_return_pct"].to_numpy(np.float64) if "net_return_pct" in rows else None
    return _Part(names, codes.astype(code_dtype(len(names))), times, rows["label"].to_numpy(np.float64),
                 rows["max_move_pct"].to_numpy(np.float64), net,
                 np.isnan(features).sum(axis=1).astype(np.int16), kept,
                 features if keep is None else features[kept])


def load_training_rows(paths: Sequence[Path], spec: LabelSpec, *, symbols: Iterable[str] | None = None,
                       progress: Progress | None = None, keep: KeepFeatures | None = None) -> LabelledRows:
    """Every labelled row of `paths`, one per (symbol, minute), in time order. With `keep`, features are
    held only for the rows it chooses (the rest keep their labels, times and symbols): a fit that reads
    a fraction of the rows then never holds the others' features (see `fit_feature_rows`)."""
    report = progress or (lambda _message: None)
    with tempfile.TemporaryFile() as spill:  # the kept features wait on disk until sorted
        parts: list[_Part] = []
        for path in paths:
            found = _from_dataset(path, spec, symbols, keep) \
                if path.suffix == ".parquet" and path.is_file() and b"label" in _columns(path) \
                else _from_klines(path, spec, symbols, report, keep)
            for part in found:
                part.held = len(part.features)
                part.features.tofile(spill)
                part.features = None  # type: ignore[assignment]
                parts.append(part)
        return _assembled(parts, spill, spec, paths, keep)


def _assembled(parts: list[_Part], spill: BinaryIO, spec: LabelSpec, paths: Sequence[Path],
               keep: KeepFeatures | None) -> LabelledRows:
    if not parts:
        raise ValueError(f"no labelled rows in {', '.join(map(str, paths))}")
    names = np.array(sorted({str(n) for p in parts for n in p.names}))
    for p in parts:
        p.codes = np.searchsorted(names, p.names)[p.codes].astype(code_dtype(len(names)))
    codes, times = _gather(parts, "codes"), _gather(parts, "times")
    order = _unique_rows_in_time_order(codes, times, _gather(parts, "missing"))
    kept = _gather(parts, "kept")
    held = kept[order]
    features = _sorted_features(parts, (np.cumsum(kept) - 1)[order[held]], spill)
    del kept
    with_net = parts[0].net is not None
    rows = LabelledRows(
        features=features, label=_gather(parts, "label")[order], move_pct=_gather(parts, "move")[order],
        time_ms=times[order], symbol=SymbolColumn(names, codes[order]), feature_names=FEATURE_NAMES,
        feature_version=FEATURE_VERSION, label_card=spec.card(),
        net_return_pct=_gather(parts, "net")[order] if with_net else None,
        sources=tuple(p.name for p in paths), feature_rows=None if keep is None else np.flatnonzero(held))
    del parts, codes, times, order, held
    release_freed_memory()
    return rows


def _sorted_features(parts: list[_Part], place: npt.NDArray[np.int64], spill: BinaryIO
                     ) -> npt.NDArray[np.float32]:
    """The kept rows' features in final order (`place`: each final row's index among the kept rows in
    source order; de-duplication dropped the others), read back part by part from `spill` into one
    matrix: never a second copy of them all."""
    into = np.full(sum(p.held for p in parts), -1, dtype=np.int64)
    into[place] = np.arange(len(place))
    out = np.empty((len(place), len(FEATURE_NAMES)), dtype=np.float32)
    spill.seek(0)
    done = 0
    for p in parts:
        block = np.fromfile(spill, dtype=np.float32, count=p.held * len(FEATURE_NAMES))
        where = into[done:done + p.held]
        out[where[where >= 0]] = block.reshape(p.held, len(FEATURE_NAMES))[where >= 0]
        done += p.held
    return out


def _gather(parts: list[_Part], name: str) -> npt.NDArray[Any]:
    """One column of every part, concatenated; the parts' pieces are dropped as it is made (memory)."""
    out = np.concatenate([getattr(p, name) for p in parts])
    for p in parts:
        setattr(p, name, None)
    release_freed_memory()  # the pieces' pages back before the next column is made (peak)
    return out


def fit_feature_rows(fit_from_ms: int, stride: int, bar_ms: int = 60_000) -> KeepFeatures:
    """The rows a fit with explicit boundaries reads: every `stride`-th minute before `fit_from_ms`
    (the training part, as LightGbmTrainer strides it), every row from it on (validation, test)."""
    def keep(times: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
        chosen: npt.NDArray[np.bool_] = (times >= fit_from_ms) | ((times // bar_ms) % stride == 0)
        return chosen
    return keep


def _unique_rows_in_time_order(codes: npt.NDArray[np.integer[Any]], times: npt.NDArray[np.int64],
                               missing: npt.NDArray[np.int16]) -> npt.NDArray[np.int64]:
    """Row indices sorted by (time, symbol), one per (symbol, time): the row with the fewest NaN
    features wins, then the first source."""
    order = np.lexsort((np.arange(len(times)), missing, times, codes))
    by_code, by_time = codes[order], times[order]
    same = (by_code[1:] == by_code[:-1]) & (by_time[1:] == by_time[:-1])
    del by_code, by_time
    order = order[np.concatenate(([True], ~same))]
    result: npt.NDArray[np.int64] = order[np.lexsort((codes[order], times[order]))]
    return result


def _columns(path: Path) -> set[bytes]:
    return {name.encode() for name in pq.read_schema(path).names}
