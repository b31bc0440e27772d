"""Scores and figures of one fitted model on one part (train, validation or test) of a split."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from adapters.onnx.card import Thresholds
from adapters.training import metrics as m
from adapters.training.rows import SymbolColumn
from domain.time_units import DAY_MS

Floats = npt.NDArray[np.float64]
BASELINE_FEATURE = "atr_pct_14"  # the volatility-only baseline: the spec label is mostly volatility


@dataclass(frozen=True)
class PartScores:
    """Model outputs on the rows of one part, with what the figures need."""

    label: Floats
    raw_probability: Floats
    probability: Floats  # calibrated
    predicted_move: Floats
    move_target: Floats
    baseline: Floats  # the baseline feature's values (NaN when absent)
    symbol: SymbolColumn
    time_ms: npt.NDArray[np.int64]

    @property
    def days(self) -> float:
        """Days covered by data (distinct minutes / 1440): a part may span holes between recordings."""
        return len(np.unique(self.time_ms // 60_000)) * 60_000 / DAY_MS

    def passing(self, t: Thresholds) -> npt.NDArray[np.bool_]:
        confidence = np.abs(self.probability - 0.5) * 2
        move_ok = np.isnan(self.predicted_move) | (self.predicted_move >= t.min_predicted_move_pct)
        chosen: npt.NDArray[np.bool_] = ((self.probability >= t.min_probability)
                                         & (confidence >= t.min_confidence) & move_ok)
        return chosen


def summary(s: PartScores) -> dict[str, float | None]:
    n = len(s.label)
    out: dict[str, float | None] = {
        "rows": float(n), "positives": float(s.label.sum()),
        "base_rate": float(s.label.mean()) if n else None,
        "auc": m.auc(s.label, s.probability), "auc_raw": m.auc(s.label, s.raw_probability),
        "brier": m.brier(s.label, s.probability), "brier_raw": m.brier(s.label, s.raw_probability),
        "brier_base_rate": m.brier(s.label, np.full(n, s.label.mean())) if n else None,
        "log_loss": m.log_loss(s.label, s.probability),
        "baseline_auc": m.auc(s.label, s.baseline) if np.isfinite(s.baseline).any() else None,
        "auc_within_volatility_deciles": m.auc_within_strata(s.label, s.probability, s.baseline),
    }
    out.update({f"move_{k}": v for k, v in m.regression_summary(s.move_target, s.predicted_move).items()})
    return out


def threshold_figures(s: PartScores, t: Thresholds) -> dict[str, float | None]:
    chosen = s.passing(t)
    count = int(chosen.sum())
    return {"signals": float(count), "precision": float(s.label[chosen].mean()) if count else None,
            "signals_per_day": count / s.days if s.days else None,
            "mean_max_move_pct": float(np.nanmean(s.move_target[chosen])) if count else None}


def details(s: PartScores, configured: Thresholds, recommended: Thresholds) -> dict[str, Any]:
    reliability = m.reliability_table(s.label, s.probability)
    return {
        "summary": summary(s),
        "precision_by_probability": m.precision_table(s.label, s.probability, s.days),
        "at_configured_thresholds": threshold_figures(s, configured),
        "at_recommended_thresholds": threshold_figures(s, recommended),
        "reliability": reliability,
        "reliability_raw": m.reliability_table(s.label, s.raw_probability),
        "expected_calibration_error": m.expected_calibration_error(reliability),
        "per_symbol": m.per_symbol_auc(s.label, s.probability, s.symbol),
        "per_month": m.per_month(s.label, s.probability, s.baseline, s.time_ms),
    }


def recommend_thresholds(validation: PartScores, *, target_precision: float, min_signals: int,
                         min_move_pct: float) -> Thresholds:
    """The lowest probability threshold whose VALIDATION precision reaches the target with enough
    signals; failing that, the most precise threshold that keeps enough signals. Confidence follows from
    the probability (abs(p - 0.5) * 2) so it is set to what the probability threshold implies."""
    table = m.precision_table(validation.label, validation.probability, validation.days)
    enough = [row for row in table if (row["signals"] or 0) >= min_signals and row["precision"] is not None]
    reached = [row for row in enough if float(row["precision"] or 0) >= target_precision]
    if reached:
        row = min(reached, key=lambda r: float(r["threshold"] or 0))
        why = f"lowest threshold with validation precision >= {target_precision:.2f}"
    elif enough:
        row = max(enough, key=lambda r: float(r["precision"] or 0))
        why = f"no threshold reaches precision {target_precision:.2f} on validation: the most precise one"
    else:
        row = {"threshold": 0.5, "precision": None, "signals": 0}
        why = f"fewer than {min_signals} validation signals at any threshold: neutral 0.5"
    p = float(row["threshold"] or 0.5)
    precision = row["precision"]
    detail = f" ({precision:.3f} on {int(row['signals'] or 0)} signals)" if precision is not None else ""
    return Thresholds(min_probability=p, min_confidence=round(max(0.0, 2 * p - 1), 6),
                      min_predicted_move_pct=min_move_pct,
                      rationale=why + detail + f"; move >= {min_move_pct}% (round-trip fees)")
