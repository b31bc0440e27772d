"""A model card -> the lab gate's verdict under the current thresholds (domain.lab_gate).

The card's recorded verdict is not trusted: its evidence is judged again at every load, so a card whose
gate claims open without passing evidence, or with evidence below today's thresholds, stays closed. A
model without evidence is told "no holdout passed" with the figures its card does hold (its own EV gate
on validation, the edge report's figures on its test period).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from adapters.onnx.card import ModelCard, card_path_for
from adapters.onnx.card_evidence import LabEvidenceCard, LabGateCard
from adapters.onnx.model_checksums import seal_model, verify_sealed
from domain.lab_gate import GateEvidence, GateThresholds, GateVerdict, judge_gate


def _num(value: float | None) -> float:
    return math.nan if value is None else float(value)


def evidence_of(card: LabEvidenceCard) -> GateEvidence:
    return GateEvidence(card.source, card.trades, _num(card.mean_net_pct), _num(card.ci_low_pct),
                        _num(card.ci_high_pct), _num(card.deflated_sharpe), _num(card.pbo))


def known_figures(card: ModelCard) -> str:
    """What a card without lab evidence says about the model's edge, in one phrase."""
    said = []
    gate = card.ev_gate
    if gate is not None:
        mean = "n/a" if gate.validation_mean_net_pct is None else f"{gate.validation_mean_net_pct:+.4f}%"
        said.append(f"its own EV gate is {'closed' if gate.closed else 'open'}: {gate.validation_trades} "
                    f"validation trades, mean {mean}")
    report = card.edge_report or {}
    own = report.get("this_model") or {}
    if own:
        ev, top = own.get("ev_gate") or {}, own.get("top_decile") or {}
        said.append(f"on its test period {own.get('period')} the EV gate took {ev.get('count', 0)} trades, "
                    f"its top decile {top.get('mean_net_pct')}% over {top.get('count')} trades")
    if report.get("verdict"):
        said.append(f"edge report: {report['verdict']}")
    return "; ".join(said)


def card_gate_verdict(card: ModelCard, thresholds: GateThresholds) -> GateVerdict:
    evidence = None if card.lab_evidence is None else evidence_of(card.lab_evidence)
    verdict = judge_gate(evidence, thresholds, known=known_figures(card) if evidence is None else "")
    if card.ev_gate is not None and card.ev_gate.closed and evidence is not None:
        return GateVerdict(False, (*verdict.failures, f"the card's own EV gate is closed: "
                                   f"{card.ev_gate.rationale}"))
    return verdict


def gate_card(verdict: GateVerdict, thresholds: GateThresholds, now: datetime | None = None) -> LabGateCard:
    when = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    return LabGateCard(open=verdict.open, failures=list(verdict.failures),
                       min_dsr=thresholds.min_deflated_sharpe, max_pbo=thresholds.max_pbo, judged_utc=when)


def describe(card: ModelCard, verdict: GateVerdict) -> str:
    """One line for the start-up log and `research gate`."""
    if verdict.open:
        e = card.lab_evidence
        assert e is not None
        return (f"model {card.model_version}: lab gate OPEN: {e.source} {e.tested_at}, {e.trades} trades, "
                f"mean {e.mean_net_pct:+.4f}% (95% CI {e.ci_low_pct:+.4f}..{e.ci_high_pct:+.4f}), "
                f"DSR {e.deflated_sharpe:.3f}, PBO {e.pbo:.3f}")
    return f"model {card.model_version}: lab gate CLOSED: {verdict.reason}"


def record_lab_evidence(onnx_path: Path, evidence: LabEvidenceCard, recipe: dict[str, Any] | None,
                        thresholds: GateThresholds) -> GateVerdict:
    """Write the evidence, the recipe and the gate's verdict into a sealed model's card and seal it again
    (the pair must be intact before: an edited card is never re-sealed here)."""
    verify_sealed(onnx_path)
    path = card_path_for(onnx_path)
    card = ModelCard.read(path).model_copy(update={"lab_evidence": evidence, "lab_recipe": recipe})
    verdict = card_gate_verdict(card, thresholds)
    card.model_copy(update={"lab_gate": gate_card(verdict, thresholds)}).write(path)
    seal_model(onnx_path)
    return verdict
