"""LightGbmTrainer: the ModelTrainer port over LightGBM, sklearn calibration and the ONNX exporter."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from adapters.onnx.card import PiecewiseLinear
from adapters.process_heap import release_freed_memory
from adapters.training.calibration import fit_calibration
from adapters.training.chunked import CHUNK_ROWS, scored_in_chunks
from adapters.training.edge_gate_card import fit_gate_card, validation_halves
from adapters.training.evaluation import BASELINE_FEATURE, PartScores, details, recommend_thresholds
from adapters.training.fit import ScalperFit, TrainerConfig
from adapters.training.lightgbm_trainer import FittedBoosters, fit_boosters
from adapters.training.publish import publish_model
from adapters.training.rows import LabelledRows
from domain.splits import TimeRange, TimeSplit
from ports.training import FittedSplit

Progress = Callable[[str], None]


def _spread(index: npt.NDArray[np.int64], most: int) -> npt.NDArray[np.int64]:
    """At most `most` of the indices, evenly spread over the (time-ordered) part."""
    if len(index) <= most:
        return index
    spread: npt.NDArray[np.int64] = index[np.linspace(0, len(index) - 1, most).astype(np.int64)]
    return spread


class LightGbmTrainer:
    def __init__(self, rows: LabelledRows, config: TrainerConfig, progress: Progress | None = None) -> None:
        self._rows = rows
        self._config = config
        self._progress = progress or (lambda _message: None)

    @property
    def rows(self) -> LabelledRows:
        return self._rows

    def row_times(self) -> Sequence[int]:
        return self._rows.sorted_times

    def _indices(self, part: TimeRange) -> npt.NDArray[np.int64]:
        return np.flatnonzero(self._rows.mask(part))

    def scores(self, fitted: FittedBoosters, calibration: PiecewiseLinear,
               index: npt.NDArray[np.int64]) -> PartScores:
        r = self._rows
        raw, move, baseline = (np.empty(len(index)) for _ in range(3))
        for a in range(0, len(index), CHUNK_ROWS):  # in chunks: never a copy of a whole part's features
            x = r.features_at(index[a:a + CHUNK_ROWS])
            raw[a:a + len(x)] = fitted.raw_probability(x)
            move[a:a + len(x)] = fitted.predicted_move(x)
            baseline[a:a + len(x)] = (x[:, r.feature_names.index(BASELINE_FEATURE)]
                                      if BASELINE_FEATURE in r.feature_names else np.nan)
        return PartScores(label=r.label[index], raw_probability=raw, probability=calibration.apply(raw),
                          predicted_move=move, move_target=r.move_pct[index],
                          baseline=baseline, symbol=r.symbol.take(index), time_ms=r.time_ms[index])

    def fit(self, split: TimeSplit) -> FittedSplit:
        r, c = self._rows, self._config
        started = time.perf_counter()
        train, val, test = (self._indices(p) for p in (split.train, split.validation, split.test))
        if c.train_row_stride > 1:
            train = train[(r.time_ms[train] // c.bar_ms) % c.train_row_stride == 0]
        for name, index in (("train", train), ("validation", val), ("test", test)):
            if not len(index):
                raise ValueError(f"the {name} part of the split holds no rows")
        self._progress(f"fitting LightGBM on {len(train):,} rows (validation {len(val):,})")
        stop = _spread(val, c.max_early_stopping_rows)
        fitted = fit_boosters(r.features_at(train), r.label[train], r.features_at(stop), r.label[stop],
                              r.move_pct[train], r.move_pct[stop], c.params)
        release_freed_memory()  # the fit's copies of its rows: returned before the parts are scored
        self._progress("calibrating on validation")
        # Outcome labels (issue 8): calibration and EV map on validation's first half, EV gate on its second.
        outcome = r.net_return_pct is not None
        calibrate, gate_rows = validation_halves(val, r.time_ms, split.gap_ms) if outcome else (val, None)
        raw_val = scored_in_chunks(r, calibrate, fitted.raw_probability)
        calibration = fit_calibration(raw_val, r.label[calibrate], c.calibration_method)
        ev_map = ev_gate = None
        if r.net_return_pct is not None and gate_rows is not None:
            net = r.net_return_pct[calibrate]
            ok = np.isfinite(net)
            ev_map = fit_calibration(calibration.apply(raw_val)[ok], net[ok], "isotonic")
            policy = r.label_card.exit_policy
            ev_gate = fit_gate_card(r, gate_rows, fitted, calibration, ev_map,
                                    policy.round_trip_cost_pct if policy is not None else 0.0)
        self._progress("evaluating train, validation and test")
        train = _spread(train, c.max_train_eval_rows)
        scored = {"train": self.scores(fitted, calibration, train),
                  "validation": self.scores(fitted, calibration, val),
                  "test": self.scores(fitted, calibration, test)}
        recommended = recommend_thresholds(scored["validation"], target_precision=c.target_precision,
                                           min_signals=c.min_validation_signals, min_move_pct=c.min_move_pct)
        parts = {name: details(s, c.configured_thresholds, recommended) for name, s in scored.items()}
        model = ScalperFit(boosters=fitted, calibration=calibration, expected_net_return=ev_map,
                           recommended=recommended, parts=parts,
                           importance=fitted.importance(r.feature_names),
                           fit_seconds=time.perf_counter() - started, ev_gate=ev_gate)
        metrics = {name: part["summary"] for name, part in parts.items()}
        return FittedSplit(split=split, metrics=metrics, model=model)

    def publish(self, chosen: FittedSplit, folds: Sequence[FittedSplit], model_version: str,
                warnings: Sequence[str]) -> Path:
        self._progress("exporting to ONNX and checking parity")
        release_freed_memory()  # the evaluation's freed arrays: returned before the exporter's imports
        return publish_model(self, chosen, folds, model_version, warnings)

    @property
    def config(self) -> TrainerConfig:
        return self._config
