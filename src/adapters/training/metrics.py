"""Evaluation figures for one part of a split (spec 10.3): AUC, Brier, precision and signal count at
thresholds, reliability table, per-symbol AUC, and the AUC of a single feature as a baseline."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from sklearn.metrics import roc_auc_score

from adapters.training.rows import SymbolColumn

Floats = npt.NDArray[np.float64]
PROBABILITY_GRID = (0.3, 0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9)
MIN_ROWS_PER_SYMBOL = 200


def auc(y: Floats, score: Floats) -> float | None:
    """ROC AUC; None when only one class is present (undefined). NaN scores rank lowest."""
    if len(y) == 0 or np.all(y == y[0]):
        return None
    s = np.where(np.isnan(score), -np.inf, score)
    return float(roc_auc_score(y, s))


def brier(y: Floats, p: Floats) -> float | None:
    return float(np.mean((p - y) ** 2)) if len(y) else None


def log_loss(y: Floats, p: Floats) -> float | None:
    if not len(y):
        return None
    q = np.clip(p, 1e-7, 1 - 1e-7)
    return float(-np.mean(y * np.log(q) + (1 - y) * np.log(1 - q)))


def precision_table(y: Floats, p: Floats, days: float,
                    grid: Sequence[float] = PROBABILITY_GRID) -> list[dict[str, float | None]]:
    """For each probability threshold: signals (rows with p >= threshold), their precision, and
    signals per day over the whole part (all symbols together)."""
    rows: list[dict[str, float | None]] = []
    for threshold in grid:
        chosen = p >= threshold
        count = int(chosen.sum())
        rows.append({"threshold": threshold, "signals": count,
                     "precision": float(y[chosen].mean()) if count else None,
                     "signals_per_day": count / days if days > 0 else None})
    return rows


def reliability_table(y: Floats, p: Floats, bins: int = 10) -> list[dict[str, float | None]]:
    """Equal-width bins of predicted probability: count, mean prediction, observed frequency."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    index = np.clip(np.digitize(p, edges[1:-1], right=False), 0, bins - 1)
    table: list[dict[str, float | None]] = []
    for b in range(bins):
        member = index == b
        count = int(member.sum())
        table.append({"low": float(edges[b]), "high": float(edges[b + 1]), "count": count,
                      "mean_predicted": float(p[member].mean()) if count else None,
                      "observed": float(y[member].mean()) if count else None})
    return table


def expected_calibration_error(table: Sequence[dict[str, float | None]]) -> float | None:
    total = sum(int(row["count"] or 0) for row in table)
    if not total:
        return None
    error = 0.0
    for row in table:
        count = int(row["count"] or 0)
        if count:
            error += count / total * abs(float(row["mean_predicted"] or 0) - float(row["observed"] or 0))
    return error


def per_symbol_auc(y: Floats, p: Floats, symbols: SymbolColumn) -> dict[str, dict[str, float | None]]:
    """By symbol, in the order of their names (the codes' order): no string per row."""
    out: dict[str, dict[str, float | None]] = {}
    for code in np.unique(symbols.codes).tolist():
        member = symbols.codes == code
        if member.sum() < MIN_ROWS_PER_SYMBOL:
            continue
        out[str(symbols.names[code])] = {"rows": float(member.sum()), "base_rate": float(y[member].mean()),
                       "auc": auc(y[member], p[member])}
    return out


def auc_within_strata(y: Floats, score: Floats, strata: Floats, bins: int = 10) -> float | None:
    """Row-weighted mean AUC inside quantile bins of `strata` (e.g. volatility): how well the score
    ranks rows that the stratifying variable cannot tell apart."""
    ok = np.isfinite(strata)
    if ok.sum() < bins * 20:
        return None
    edges = np.quantile(strata[ok], np.linspace(0, 1, bins + 1)[1:-1])
    index = np.digitize(strata, edges)
    total, weighted = 0, 0.0
    for b in range(bins):
        member = ok & (index == b)
        value = auc(y[member], score[member])
        if value is not None:
            weighted += value * int(member.sum())
            total += int(member.sum())
    return weighted / total if total else None


def per_month(y: Floats, p: Floats, baseline: Floats, time_ms: npt.NDArray[np.int64]
              ) -> dict[str, dict[str, float | None]]:
    months = time_ms.astype("datetime64[ms]").astype("datetime64[M]")  # numbers: no str per row
    out: dict[str, dict[str, float | None]] = {}
    for month in np.unique(months):  # in time order, which is the order of their "YYYY-MM" names
        member = months == month
        out[str(month)] = {"rows": float(member.sum()), "base_rate": float(y[member].mean()),
                      "auc": auc(y[member], p[member]),
                      "baseline_auc": auc(y[member], baseline[member]) if np.isfinite(baseline[member]).any()
                      else None}
    return out


def regression_summary(target: Floats, predicted: Floats) -> dict[str, float | None]:
    ok = np.isfinite(target) & np.isfinite(predicted)
    if ok.sum() < 2:
        return {"mae": None, "correlation": None}
    t, q = target[ok], predicted[ok]
    corr = float(np.corrcoef(t, q)[0, 1]) if np.std(t) > 0 and np.std(q) > 0 else None
    return {"mae": float(np.mean(np.abs(t - q))), "correlation": corr}


def finite_or_none(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)
