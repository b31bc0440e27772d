"""Wiring of `research retrain` and `research promote`: the model in service as retrain sees it, the recipe a
challenger is trained with, the lab's bars of any kline data, and publishing a fit with its evidence.

The bot serves 1m bars and the engine's full feature row, so only 1m candidates are published; a
candidate's feature subset is served by zeroing the other columns (application.research.candidate_fit).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from adapters.onnx.card import ExitPolicyCard, LabelCard, PartRange
from adapters.onnx.card_evidence import LabEvidenceCard
from adapters.onnx.card_gate import card_gate_verdict
from adapters.onnx.model import OnnxModel, resolve_model_path
from adapters.research.data_registry import file_hash
from adapters.research.lab_data import LabData
from adapters.training.edge_publish import EdgePublication, publish_edge_model
from application.research.candidate_fit import FittedCandidate
from application.research.compare_models import Judged
from application.research.market_periods import plan_periods, research_bars
from application.research.period_bars import PeriodBars
from application.research.retrain import ServedModel
from application.research.trial_params import TrialParams, trial_params
from bootstrap import mapping, research_mapping
from bootstrap.research_wiring import model_rules
from bootstrap.settings_model import Settings
from domain.outcome import TradeCosts
from domain.scanner_rules import ScannerRules
from domain.statistics.trust import Costing
from domain.time_units import MINUTE_MS
from ports.errors import ConfigurationError

PARITY_ROWS = 2_000


def served_model(models_dir: Path, settings: Settings) -> tuple[OnnxModel | None, ServedModel | None]:
    """The model in service (the newest in the folder), or (None, None) when the folder holds none."""
    try:
        path = resolve_model_path(models_dir)
    except ConfigurationError:
        return None, None
    model = OnnxModel.load(path)
    card_gate = model.ev_gate_margin_pct
    margin = max(settings.signal.min_expected_net_return_pct, card_gate) if card_gate is not None \
        else settings.signal.min_expected_net_return_pct
    verdict = card_gate_verdict(model.card, research_mapping.lab_gate_thresholds(settings))
    return model, ServedModel(f"current {model.version}", model_rules(model, settings), margin, verdict.open,
                              lambda rows: model.score(rows)[3])


def recipe_for(model: OnnxModel | None, settings: Settings) -> TrialParams:
    """The served model's lab recipe when its card has one, else the settings' exits with an EV gate."""
    if model is not None and model.card.lab_recipe:
        return trial_params(model.card.lab_recipe)
    r = mapping.exit_rules_from(settings)
    return TrialParams(take_profit_pct=r.take_profit_pct * 100, stop_loss_pct=r.stop_loss_pct * 100,
                       hold_minutes=r.timeout_bars, trailing=r.trailing_activation_pct is not None,
                       trailing_activation_pct=(r.trailing_activation_pct or 0.004) * 100,
                       trailing_distance_pct=r.trailing_distance_pct * 100, selection="ev_gate")


def costs_of(settings: Settings) -> tuple[TradeCosts, Costing]:
    costs = mapping.trade_costs(settings)
    return costs, Costing(costs.round_trip_pct, False, costs.slippage_pct * 100)


def bars_of(data: LabData) -> list[PeriodBars]:
    """Every 1m bar of the data, one period per stretch without a day-long hole."""
    return research_bars(data.klines, plan_periods(data.klines, gap_hours=24.0), 1, ScannerRules())


def _num(value: float) -> float | None:
    return round(float(value), 6) if math.isfinite(value) else None


def evidence_card(j: Judged, *, source: str, study: str, candidate: str, tested_at: str,
                  files: Sequence[Path], periods: Sequence[str], trials: int,
                  **extra: Any) -> LabEvidenceCard:
    e = j.evidence
    return LabEvidenceCard(
        source=source, study=study, candidate=candidate, tested_at=tested_at,  # type: ignore[arg-type]
        data_sha256={p.name: file_hash(p) for p in files}, periods=list(periods), trades=e.trades,
        mean_net_pct=_num(e.mean_net_pct), ci_low_pct=_num(e.ci_low_pct), ci_high_pct=_num(e.ci_high_pct),
        clustered_by=j.trust.cluster_by if j.trust else "week", deflated_sharpe=_num(e.deflated_sharpe),
        trials=trials, pbo=_num(e.pbo), **extra)


def publish_fit(fit: FittedCandidate, out_dir: Path, when: datetime, settings: Settings, bars: PeriodBars,
                evidence: LabEvidenceCard | None, sources: Sequence[str]) -> Path:
    """The fit as scalper-<UTC timestamp>.onnx + card + seal in `out_dir` (checked on `bars`' rows)."""
    p = fit.params
    if p.interval_minutes != 1:
        raise ValueError(f"the bot trades 1m bars; this candidate trades {p.interval_minutes}m bars")
    costs, _ = costs_of(settings)
    rules = p.exit_rules
    label = LabelCard(kind="outcome", horizon_bars=rules.timeout_bars + 1, bar_interval_ms=MINUTE_MS,
                      exit_policy=ExitPolicyCard(
                          take_profit_pct=rules.take_profit_pct, stop_loss_pct=rules.stop_loss_pct,
                          timeout_bars=rules.timeout_bars,
                          trailing_activation_pct=rules.trailing_activation_pct,
                          trailing_distance_pct=rules.trailing_distance_pct,
                          round_trip_cost_pct=costs.round_trip_pct),
                      description=(f"1 when the trade's net return after costs beats {p.label_margin_pct}% "
                                   "(the lab's label)" if p.target == "outcome" else
                                   f"1 when the lab's {p.target} target (application/research/"
                                   f"trial_targets.py) after costs beats {p.label_margin_pct}%"))
    parts = {name: PartRange(start_ms=s.start_ms, end_ms=s.end_ms, rows=s.rows, positives=s.positives,
                             symbols=sorted(bars.symbols)) for name, s in fit.parts.items()}
    publication = EdgePublication(when.strftime("%Y%m%d-%H%M%S"), label, fit.margin_pct, fit.rationale,
                                  costs.round_trip_pct, parts, p.as_dict(), evidence, list(sources))
    rows = bars.features[np.isfinite(bars.features).all(axis=1)][:PARITY_ROWS]
    out_dir.mkdir(parents=True, exist_ok=True)
    gate = research_mapping.lab_gate_thresholds(settings)
    return publish_edge_model(fit.model, out_dir, publication, gate, rows)
