"""Fit one candidate as a model the bot can serve, and take its trades on one out-of-time part.

Used by `research promote` (the fold that was tested on the latest holdout period, refitted with the same
seed) and `research retrain` (the challenger). The fold is the walk-forward's (application.research.folds:
train, validation halves A and B, purge gaps of the trade window between them). Two differences from the
lab's scoring (trial_walk_forward) make the fit servable by the bot:
- the features the candidate does not use are zeroed rather than dropped, so the model takes the engine's
  full feature row (a constant column is never split on, so the trees are those of the subset);
- the selection is expressed as an EV gate margin: trade when the expected net return > margin. The
  top-fraction selection becomes the expected net return at the score threshold of B (ties at that
  level of the isotonic map are kept, so it may take a few more trades than the lab's score rule).
The test part's first `embargo_ms` are not traded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from application.research.folds import FoldBounds, fold_bounds, gather, part_masks
from application.research.period_bars import PeriodBars
from application.research.trial_params import TrialParams
from application.research.trial_targets import gather_values, labels_of, target_values
from application.research.trial_walk_forward import FoldTrades, WalkForward
from domain.ev_gate import fit_gate
from domain.outcome import TradeCosts
from domain.symbol_costs import SymbolCosts
from ports.training import EdgeLearner, EdgeModel

Floats = npt.NDArray[np.float64]
Features = npt.NDArray[np.float32]
BELOW = 1e-9  # the margin sits just under the threshold's expected value: "> margin" keeps that level


@dataclass(frozen=True)
class PartSpan:
    start_ms: int
    end_ms: int  # exclusive
    rows: int
    positives: int  # rows labelled 1 (their target beat the label margin); test: trades that did


@dataclass(frozen=True)
class FittedCandidate:
    params: TrialParams
    model: EdgeModel
    margin_pct: float | None  # trade when expected net return > margin; None: the gate is closed
    rationale: str
    bounds: FoldBounds
    test: FoldTrades  # the out-of-time part's trades (selected) and every bar's trade (the benchmark)
    parts: dict[str, PartSpan]  # "train", "validation", "test"

    def select(self, features: Features) -> npt.NDArray[np.bool_]:
        return selected(self.model, self.margin_pct, self.params, features)


def selected(model: EdgeModel, margin_pct: float | None, params: TrialParams,
             features: Features) -> npt.NDArray[np.bool_]:
    """The rows whose expected net return clears the margin (none when the gate is closed)."""
    if margin_pct is None or not len(features):
        return np.zeros(len(features), dtype=np.bool_)
    expected = model.expected_net_pct(model.score(masked(features, params)))
    chosen: npt.NDArray[np.bool_] = np.asarray(expected > margin_pct, dtype=np.bool_)
    return chosen


def masked(features: Features, params: TrialParams) -> Features:
    """The engine's full feature row with every column the candidate does not use set to zero."""
    used = list(params.feature_columns())
    if len(used) == features.shape[1]:
        return features
    out = np.zeros_like(features)
    out[:, used] = features[:, used]
    return out


def _margin(params: TrialParams, model: EdgeModel, features: Features, net: Floats,
            time_ms: npt.NDArray[np.int64], config: WalkForward) -> tuple[float | None, str]:
    score = model.score(features)
    if params.selection == "ev_gate":
        gate = fit_gate(model.expected_net_pct(score), net, time_ms, min_trades=config.gate_min_trades)
        return gate.threshold_pct, gate.rationale
    if not len(score):
        return None, "closed: no selection row"
    threshold = float(np.quantile(score, 1 - params.top_fraction))
    level = float(model.expected_net_pct(np.array([threshold]))[0])
    return level - BELOW, (f"top {params.top_fraction:.1%} of validation B's scores "
                           f"(score >= {threshold:.4f}): "
                           f"expected net return > {level:.4f}%")


def fit_candidate(prior: Sequence[PeriodBars], test: PeriodBars, params: TrialParams, learner: EdgeLearner,
                  costs: TradeCosts | SymbolCosts, config: WalkForward, *,
                  embargo_ms: int = 0) -> FittedCandidate:
    """Fit on `prior` (oldest first), then trade `test`. ValueError when the prior part is too short or
    holds no winning (or no losing) trade to learn from."""
    bounds = fold_bounds(prior, test, gap_bars=params.timeout_bars + 1,
                         validation_fraction=config.validation_fraction, max_train_rows=config.max_train_rows,
                         interval_ms=test.interval_ms)
    nets = [p.outcomes(params.exit_rules, costs).net_return_pct for p in prior]
    masks = part_masks(bounds)
    train, cal, sel = (gather(prior, nets, masks[p]) for p in ("train", "calibration", "selection"))
    margin = params.label_margin_pct
    values = [target_values(p, params.target, params.timeout_bars, costs, n) for p, n in zip(prior, nets,
                                                                                             strict=True)]
    y_train, y_cal, y_sel = (labels_of(gather_values(prior, nets, values, masks[p]), margin)
                             for p in ("train", "calibration", "selection"))
    model = learner.fit(masked(train.features, params), y_train, masked(cal.features, params), y_cal,
                        cal.net_pct)
    gate, why = _margin(params, model, masked(sel.features, params), sel.net_pct, sel.time_ms, config)
    test_net = test.outcomes(params.exit_rules, costs).net_return_pct
    embargo_end = int(test.time_ms.min()) + embargo_ms if len(test) else 0
    net = np.where(test.time_ms >= embargo_end, test_net, np.nan)
    trades = FoldTrades(test.name, selected(model, gate, params, test.features), net, test.time_ms)
    b, known = bounds, np.isfinite(net)
    parts = {"train": PartSpan(b.train_start_ms, b.validation_start_ms - b.gap_ms, len(train),
                               int(y_train.sum())),
             "validation": PartSpan(b.validation_start_ms, b.validation_end_ms, len(cal) + len(sel),
                                    int(y_cal.sum() + y_sel.sum())),
             "test": PartSpan(int(test.time_ms.min()) if len(test) else 0,
                              int(test.time_ms.max()) + 1 if len(test) else 0, int(known.sum()),
                              int((net[known] > margin).sum()))}
    return FittedCandidate(params, model, gate, why, bounds, trades, parts)
