"""Publish a fit: ONNX file, model card, the checksum file sealing both, a parity check through the serving
adapter, and the report."""

from __future__ import annotations

import platform
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import lightgbm as lgb
import numpy as np

from adapters.checksums import sha256_of
from adapters.onnx.card import ModelCard, PartRange, card_path_for
from adapters.onnx.model_checksums import seal_model
from adapters.training.onnx_export import INPUT_NAME, MOVE_OUTPUT, PROBABILITY_OUTPUT, build_onnx, save_onnx
from adapters.training.report import write_report
from domain.splits import TimeRange
from ports.training import FittedSplit

if TYPE_CHECKING:
    from adapters.training.fit import FitSource, ScalperFit

PARITY_TOLERANCE = 1e-5
PARITY_ROWS = 5_000
HEADLINE = ("auc", "auc_raw", "brier", "brier_raw", "brier_base_rate", "base_rate", "baseline_auc",
            "auc_within_volatility_deciles", "log_loss", "move_mae", "move_correlation")


def _part(trainer: FitSource, part: TimeRange) -> PartRange:
    rows = trainer.rows
    mask = rows.mask(part)
    codes = np.unique(rows.symbol.codes[mask])  # sorted codes of sorted names: the names sorted
    return PartRange(start_ms=part.start_ms, end_ms=part.end_ms, rows=int(mask.sum()),
                     positives=int(rows.label[mask].sum()), symbols=rows.symbol.names[codes].tolist())


def _headline(chosen: FittedSplit) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    for part, figures in chosen.metrics.items():
        out.update({f"{part}_{name}": figures.get(name) for name in HEADLINE})
    return out


def parity_check(trainer: FitSource, fit: ScalperFit, onnx_path: Path, test: TimeRange) -> float:
    """Max |ONNX+card - LightGBM+calibration| over probability and move on test rows (or all rows)."""
    from adapters.onnx.model import OnnxModel  # the serving adapter is the one that must agree

    rows = trainer.rows
    index = np.flatnonzero(rows.mask(test))
    if not len(index):
        index = np.arange(len(rows)) if rows.feature_rows is None else rows.feature_rows
    index = index[np.linspace(0, len(index) - 1, min(PARITY_ROWS, len(index))).astype(np.int64)]
    x = rows.features_at(index)
    model = OnnxModel.load(onnx_path, feature_names=rows.feature_names, feature_version=rows.feature_version)
    probability, _, move, _ = model.score(x)
    raw = fit.boosters.raw_probability(x)
    worst = float(np.max(np.abs(probability - fit.calibration.apply(raw))))
    raw_onnx = model.raw_outputs(np.ascontiguousarray(x, dtype=np.float32))[0][:, 1]
    raw_worst = float(np.max(np.abs(raw_onnx - raw)))
    if fit.boosters.regressor is not None:
        worst = max(worst, float(np.max(np.abs(move - fit.boosters.predicted_move(x)))))
    if not worst <= PARITY_TOLERANCE:
        raise RuntimeError(f"ONNX export differs from LightGBM by {worst:.2e} (> {PARITY_TOLERANCE}); "
                           f"raw probability by {raw_worst:.2e}")
    return worst


def _sampling(trainer: FitSource) -> str:
    c = trainer.config
    fit_rows = "every bar" if c.train_row_stride == 1 else f"every {c.train_row_stride}th minute"
    return (f"{trainer.rows.sampling} in the data; fit on {fit_rows} of the training period; early stopping "
            f"on at most {c.max_early_stopping_rows:,} validation rows spread in time; calibration and "
            "every figure on all validation/test rows")


def publish_model(trainer: FitSource, chosen: FittedSplit, folds: Sequence[FittedSplit],
                  model_version: str, warnings: Sequence[str]) -> Path:
    config, rows = trainer.config, trainer.rows
    fit: ScalperFit = chosen.model  # type: ignore[assignment]
    onnx_path = config.out_dir / f"scalper-{model_version}.onnx"
    graph = build_onnx(fit.boosters.classifier, fit.boosters.regressor, len(rows.feature_names),
                       model_version)
    save_onnx(graph, onnx_path)
    split = chosen.split
    params = config.params
    training: dict[str, Any] = {
        "lightgbm": lgb.__version__, "python": platform.python_version(),
        "classifier_trees": int(fit.boosters.classifier.booster_.num_trees()),
        "regressor_trees": int(fit.boosters.regressor.booster_.num_trees()) if fit.boosters.regressor else 0,
        "num_leaves": params.num_leaves, "learning_rate": params.learning_rate, "seed": params.seed,
        "scale_pos_weight": round(fit.boosters.scale_pos_weight, 4),
        "calibration_method": fit.calibration.method, "fit_seconds": round(fit.fit_seconds, 1),
        "walk_forward_folds": len(folds),
    }
    card = ModelCard(
        model_version=model_version, created_utc=datetime.now(UTC).isoformat(timespec="seconds"),
        onnx_file=onnx_path.name, onnx_sha256=sha256_of(onnx_path), input_name=INPUT_NAME,
        probability_output=PROBABILITY_OUTPUT,
        move_output=MOVE_OUTPUT if fit.boosters.regressor is not None else None,
        feature_version=rows.feature_version, feature_names=list(rows.feature_names), label=rows.label_card,
        calibration=fit.calibration, expected_net_return=fit.expected_net_return, ev_gate=fit.ev_gate,
        gap_ms=split.gap_ms,
        train=_part(trainer, split.train), validation=_part(trainer, split.validation),
        test=_part(trainer, split.test), data_sources=list(rows.sources), row_sampling=_sampling(trainer),
        metrics=_headline(chosen), recommended_thresholds=fit.recommended, training=training)
    card_path = card_path_for(onnx_path)
    card.write(card_path)
    seal_model(onnx_path)  # the parity check loads the pair through the serving adapter
    parity = parity_check(trainer, fit, onnx_path, split.test)
    training["onnx_parity_max_abs_diff"] = parity
    training["onnx_bytes"] = onnx_path.stat().st_size
    card = card.model_copy(update={"training": training})
    card.write(card_path)
    seal_model(onnx_path)  # the card's final content: any later edit is refused at load
    write_report(onnx_path.parent / onnx_path.stem, card, chosen, folds, warnings)
    return onnx_path
