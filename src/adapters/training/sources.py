"""Training rows from data on disk: data-set Parquet files (`python -m bootstrap dataset`) or kline
files/folders (features and labels computed here with the same code as the data-set builder).

Several sources may cover the same (symbol, minute): the row with the most columns wins (a full Binance
kline has taker-buy volume, a freqtrade file does not), then the first source given.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow.parquet as pq

from adapters.history.dataset import symbol_dataset
from adapters.history.loader import SymbolHistory, clean_history, load_history
from adapters.onnx.card import ExitPolicyCard, LabelCard
from adapters.training.rows import LabelledRows
from domain.features import FEATURE_NAMES, FEATURE_VERSION
from domain.outcome import ExitRules, TradeCosts, simulate_exits

Progress = Callable[[str], None]


@dataclass(frozen=True)
class LabelSpec:
    kind: str  # "spec" | "outcome"
    horizon_bars: int
    threshold: float  # fraction (0.002 = +0.2%), kind "spec"
    exit_rules: ExitRules | None = None  # kind "outcome"
    costs: TradeCosts | None = None

    @property
    def gap_bars(self) -> int:
        """Bars a label reads after its row (outcome trades enter at the next open)."""
        if self.kind == "outcome" and self.exit_rules is not None:
            return self.exit_rules.timeout_bars + 1
        return self.horizon_bars

    def card(self) -> LabelCard:
        if self.kind == "outcome" and self.exit_rules is not None and self.costs is not None:
            r = self.exit_rules
            policy = ExitPolicyCard(take_profit_pct=r.take_profit_pct, stop_loss_pct=r.stop_loss_pct,
                                    timeout_bars=r.timeout_bars,
                                    trailing_activation_pct=r.trailing_activation_pct,
                                    trailing_distance_pct=r.trailing_distance_pct,
                                    round_trip_cost_pct=self.costs.round_trip_pct)
            return LabelCard(kind="outcome", horizon_bars=self.gap_bars, exit_policy=policy,
                             description="1 when a trade entered at the next open and managed with the exit "
                                         "policy ends with a positive net return after fees and slippage")
        return LabelCard(kind="spec", horizon_bars=self.horizon_bars, threshold_pct=self.threshold * 100,
                         description=f"max(high[t+1..t+{self.horizon_bars}]) >= close[t] x "
                                     f"(1 + {self.threshold:g}) (spec 5.2)")


def _outcome_columns(history: SymbolHistory, rows: pd.DataFrame, spec: LabelSpec) -> pd.DataFrame:
    assert spec.exit_rules is not None and spec.costs is not None
    f = history.frame
    out = simulate_exits(f["open"].to_numpy(np.float64), f["high"].to_numpy(np.float64),
                         f["low"].to_numpy(np.float64), f["close"].to_numpy(np.float64),
                         f["open_time_ms"].to_numpy(np.int64), spec.exit_rules, spec.costs,
                         history.interval_ms)
    by_time = pd.Series(out.net_return_pct, index=f["open_time_ms"].to_numpy(np.int64))
    rows = rows.assign(net_return_pct=by_time.reindex(rows["open_time_ms"].to_numpy()).to_numpy())
    rows = rows[np.isfinite(rows["net_return_pct"])]
    return rows.assign(label=(rows["net_return_pct"] > 0).astype(np.float64))


def _from_klines(path: Path, spec: LabelSpec, symbols: Iterable[str] | None,
                 progress: Progress) -> list[pd.DataFrame]:
    parts = []
    for symbol, history in sorted(load_history(path, symbols=symbols).items()):
        clean = clean_history(history)
        rows = symbol_dataset(clean, spec.horizon_bars, spec.threshold)
        if spec.kind == "outcome" and not rows.empty:
            rows = _outcome_columns(clean, rows, spec)
        if not rows.empty:
            parts.append(_compact(rows))
        progress(f"{path.name}: {symbol} {len(rows):,} rows")
    return parts


def _from_dataset(path: Path, spec: LabelSpec, symbols: Iterable[str] | None) -> list[pd.DataFrame]:
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
    return [_compact(frame)]


def _compact(rows: pd.DataFrame) -> pd.DataFrame:
    """float32 features (what the ONNX graph takes) halve the memory of a many-pair data set."""
    return rows.astype(dict.fromkeys(FEATURE_NAMES, np.float32))


def load_training_rows(paths: Sequence[Path], spec: LabelSpec, *, symbols: Iterable[str] | None = None,
                       progress: Progress | None = None) -> LabelledRows:
    report = progress or (lambda _message: None)
    parts: list[pd.DataFrame] = []
    for path in paths:
        if path.suffix == ".parquet" and path.is_file() and b"label" in _columns(path):
            parts += _from_dataset(path, spec, symbols)
        else:
            parts += _from_klines(path, spec, symbols, report)
    if not parts:
        raise ValueError(f"no labelled rows in {', '.join(map(str, paths))}")
    columns = _columns_of(parts, with_net="net_return_pct" in parts[0])
    features = np.concatenate(columns.pop("features"))
    symbols = np.concatenate(columns.pop("symbol"))
    times = np.concatenate(columns.pop("open_time_ms"))
    order = _unique_rows_in_time_order(symbols, times, features)
    features = features[order]  # the unsorted copy is freed here: peak = two feature matrices
    net = np.concatenate(columns["net_return_pct"])[order] if "net_return_pct" in columns else None
    return LabelledRows(
        features=features, label=np.concatenate(columns["label"])[order],
        move_pct=np.concatenate(columns["max_move_pct"])[order], time_ms=times[order],
        symbol=symbols[order], feature_names=FEATURE_NAMES, feature_version=FEATURE_VERSION,
        label_card=spec.card(), net_return_pct=net, sources=tuple(p.name for p in paths))


def _columns_of(parts: list[pd.DataFrame], with_net: bool) -> dict[str, list[npt.NDArray[Any]]]:
    """numpy columns of every part, in source order, dropping each frame once read (memory)."""
    wanted = ["label", "max_move_pct"] + (["net_return_pct"] if with_net else [])
    columns: dict[str, list[npt.NDArray[Any]]] = {name: [] for name in
                                                  ["features", "symbol", "open_time_ms", *wanted]}
    parts.reverse()
    while parts:
        part = parts.pop()
        columns["features"].append(part[list(FEATURE_NAMES)].to_numpy(np.float32))
        columns["symbol"].append(part["symbol"].to_numpy(dtype=np.str_))
        columns["open_time_ms"].append(part["open_time_ms"].to_numpy(np.int64))
        for name in wanted:
            columns[name].append(part[name].to_numpy(np.float64))
    return columns


def _unique_rows_in_time_order(symbols: npt.NDArray[np.str_], times: npt.NDArray[np.int64],
                               features: npt.NDArray[np.float32]) -> npt.NDArray[np.int64]:
    """Row indices sorted by (time, symbol), one per (symbol, time): the row with the fewest NaN
    features wins, then the first source."""
    codes = pd.factorize(symbols, sort=True)[0].astype(np.int64)
    missing = np.isnan(features).sum(axis=1)
    order = np.lexsort((np.arange(len(times)), missing, times, codes))
    same = (codes[order][1:] == codes[order][:-1]) & (times[order][1:] == times[order][:-1])
    order = order[np.concatenate(([True], ~same))]
    result: npt.NDArray[np.int64] = order[np.lexsort((codes[order], times[order]))]
    return result


def _columns(path: Path) -> set[bytes]:
    return {name.encode() for name in pq.read_schema(path).names}
