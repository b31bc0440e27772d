"""Publish a lab candidate's fit (adapters/training/edge_learner) as a model the bot loads: ONNX graph, card
and the checksum file sealing both, checked through the serving adapter (issue 16 items 4 and 8).

The card carries the candidate's recipe, its EV gate (the lab's selection as an expected-net-return
margin), its label (the candidate's exits and costs), the parts it was fitted on, and the lab's evidence
with the gate's verdict (adapters/onnx/card_gate.py). No regressor is exported: the card has no move
output, so the bot's predicted move is NaN and `signal.min_predicted_move_pct` must be 0 to trade it.
"""

from __future__ import annotations

import platform
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import numpy.typing as npt

from adapters.checksums import sha256_of
from adapters.onnx.card import EvGateCard, LabelCard, ModelCard, PartRange, Thresholds, card_path_for
from adapters.onnx.card_evidence import LabEvidenceCard
from adapters.onnx.card_gate import card_gate_verdict, gate_card
from adapters.onnx.model_checksums import seal_model
from adapters.training.edge_learner import LightGbmEdgeModel
from adapters.training.onnx_export import INPUT_NAME, PROBABILITY_OUTPUT, build_onnx, save_onnx
from domain.features import FEATURE_NAMES, FEATURE_VERSION
from domain.lab_gate import GateThresholds

PARITY_TOLERANCE = 1e-5
NO_SIGNAL_FILTER = Thresholds(min_probability=0.0, min_confidence=0.0, min_predicted_move_pct=0.0,
                              rationale="the lab's selection is the EV gate alone: set signal."
                                        "min_probability, min_confidence and min_predicted_move_pct to 0 "
                                        "to trade what it tested")


@dataclass(frozen=True)
class EdgePublication:
    version: str
    label: LabelCard
    margin_pct: float | None  # None: closed
    gate_rationale: str
    round_trip_cost_pct: float
    parts: Mapping[str, PartRange]  # "train", "validation", "test"
    recipe: dict[str, Any]
    evidence: LabEvidenceCard | None
    data_sources: Sequence[str]


def _gate(model: LightGbmEdgeModel, p: EdgePublication) -> EvGateCard:
    if p.margin_pct is None:  # closed: a margin no expected value of the map can exceed
        ceiling = max(max(model.expected_net_return.y, default=0.0), 0.0)
        return EvGateCard(min_expected_net_return_pct=float(ceiling),
                          round_trip_cost_pct=p.round_trip_cost_pct,
                          closed=True, rationale=p.gate_rationale)
    return EvGateCard(min_expected_net_return_pct=p.margin_pct, round_trip_cost_pct=p.round_trip_cost_pct,
                      rationale=p.gate_rationale)


def parity(onnx_path: Path, model: LightGbmEdgeModel, rows: npt.NDArray[np.float32]) -> float:
    """Max |served expected net return - the fit's| on these rows (the bot must trade what was tested)."""
    from adapters.onnx.model import OnnxModel

    served = OnnxModel.load(onnx_path)
    _, _, _, expected = served.score(rows)
    worst = float(np.max(np.abs(expected - model.expected_net_pct(model.score(rows))))) if len(rows) else 0.0
    if not worst <= PARITY_TOLERANCE:
        raise RuntimeError(f"the served model differs from the fit by {worst:.2e} (> {PARITY_TOLERANCE})")
    return worst


def publish_edge_model(model: object, out_dir: Path, p: EdgePublication, thresholds: GateThresholds,
                       parity_rows: npt.NDArray[np.float32]) -> Path:
    """Write scalper-<version>.onnx, its card and its .sha256 into `out_dir`; the path of the .onnx."""
    if not isinstance(model, LightGbmEdgeModel):
        raise TypeError(f"cannot export {type(model).__name__}: only the lab's LightGBM fit is exportable")
    onnx_path = out_dir / f"scalper-{p.version}.onnx"
    save_onnx(build_onnx(model.boosters.classifier, None, len(FEATURE_NAMES), p.version), onnx_path)
    training: dict[str, str | int | float | bool | None] = {
        "lightgbm": lgb.__version__, "python": platform.python_version(),
        "classifier_trees": int(model.boosters.classifier.booster_.num_trees()),
        "calibration_method": model.calibration.method, "published_by": "research (edge lab)"}
    card = ModelCard(
        model_version=p.version, created_utc=datetime.now(UTC).isoformat(timespec="seconds"),
        onnx_file=onnx_path.name, onnx_sha256=sha256_of(onnx_path), input_name=INPUT_NAME,
        probability_output=PROBABILITY_OUTPUT, move_output=None, feature_version=FEATURE_VERSION,
        feature_names=list(FEATURE_NAMES), label=p.label, calibration=model.calibration,
        expected_net_return=model.expected_net_return, ev_gate=_gate(model, p),
        gap_ms=p.parts["validation"].start_ms - p.parts["train"].end_ms, train=p.parts["train"],
        validation=p.parts["validation"], test=p.parts["test"], data_sources=list(p.data_sources),
        row_sampling="the lab's bars (application.research.market_periods), every bar of each part",
        recommended_thresholds=NO_SIGNAL_FILTER, training=training, lab_evidence=p.evidence,
        lab_recipe=p.recipe)
    card = card.model_copy(update={"lab_gate": gate_card(card_gate_verdict(card, thresholds), thresholds)})
    card.write(card_path_for(onnx_path))
    seal_model(onnx_path)
    training["onnx_parity_max_abs_diff"] = parity(onnx_path, model, parity_rows)
    card.model_copy(update={"training": training}).write(card_path_for(onnx_path))
    seal_model(onnx_path)
    return onnx_path
