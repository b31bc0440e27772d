"""`research promote TRIAL` and `research gate` (issue 16 item 4).

promote: publish a frozen candidate that passed its holdout as the bot's model. Refused (exit 4) unless
the study's holdout ran, the candidate was frozen and evaluated there, the lab passed it and its figures
clear research.gate.* in the current config, and the data given is the data the holdout read (same
hashes). The model published is the candidate's walk-forward fold tested on the latest holdout period,
refitted with the same seed; its card records the holdout evidence and the gate's verdict under its seal.
The model in service moves to the archive first (research.retrain.archive_dir). holdout.json is taken
as `research holdout` wrote it (the frozen list is hash-checked; the holdout's figures are not sealed):
the seal that matters is the published card's, checked at every load.

gate: the lab gate's verdict on a model (default model.path), each failed test with its numbers;
exit 0 when open, 1 when closed.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from adapters.onnx.card import ModelCard, card_path_for
from adapters.onnx.card_evidence import LabEvidenceCard
from adapters.onnx.card_gate import card_gate_verdict, describe
from adapters.onnx.model import OnnxModel, resolve_model_path
from adapters.research.data_registry import DataRegistry, file_hash
from adapters.research.frozen_list import HOLDOUT, read_frozen
from adapters.research.lab_data import joined
from adapters.research.model_archive import archive_model, install_model
from application.research.candidate_fit import fit_candidate
from application.research.lab_costs import lab_costs
from application.research.trial_params import trial_params
from bootstrap import lab_wiring as wiring
from bootstrap import research_mapping
from bootstrap.lab_spec import LabSpec
from bootstrap.retrain_wiring import publish_fit
from bootstrap.settings_model import Settings
from domain.lab_gate import GateEvidence, judge_gate

EXIT_BAD_ARGUMENT, EXIT_NO_DATA, EXIT_REFUSED = 2, 3, 4


def _refuse(message: str) -> int:
    print(f"research promote: refused: {message}", file=sys.stderr)
    return EXIT_REFUSED


def _nan(value: Any) -> float:
    return math.nan if value is None else float(value)


def holdout_evidence(entry: dict[str, Any], payload: dict[str, Any]) -> GateEvidence:
    c = entry.get("clustered") or {}
    return GateEvidence("holdout", int(entry.get("count") or 0), _nan(entry.get("mean_net_pct")),
                        _nan(c.get("ci_low_pct")), _nan(c.get("ci_high_pct")),
                        _nan(entry.get("deflated_sharpe")),
                        _nan((payload.get("study") or {}).get("pbo")))


def promote(args: argparse.Namespace, spec: LabSpec, paths: list[Path], settings: Settings) -> int:
    if args.candidate is None:
        print("research promote: name the frozen trial to publish (research promote TRIAL)", file=sys.stderr)
        return EXIT_BAD_ARGUMENT
    folder = wiring.study_folder(args.lab_dir, spec)
    if not (folder / HOLDOUT).exists():
        return _refuse(f"study {spec.name} has no holdout result ({folder / HOLDOUT}): "
                       "run `research holdout`")
    payload = json.loads((folder / HOLDOUT).read_text(encoding="utf-8"))
    entry = next((c for c in payload.get("candidates", []) if c.get("trial") == args.candidate), None)
    if entry is None:
        return _refuse(f"trial {args.candidate} was not frozen and tested on holdout data in study "
                       f"{spec.name}")
    failures = list(entry.get("failures") or [])
    verdict = judge_gate(holdout_evidence(entry, payload), research_mapping.lab_gate_thresholds(settings))
    failures += [f for f in verdict.failures if f not in failures]
    if not entry.get("passed") or failures:
        return _refuse(f"trial {args.candidate} failed its holdout: " + "; ".join(failures))
    params = trial_params(entry["params"])
    if params.interval_minutes != 1:
        return _refuse(f"trial {args.candidate} trades {params.interval_minutes}m bars; the bot trades "
                       "1m bars")
    frozen = read_frozen(folder)
    seen, unseen = wiring.load_data(spec, [Path(p) for p in frozen.data]), wiring.load_data(spec, paths)
    tested = {p.name: file_hash(p) for p in unseen.files}
    holdouts = [e for e in DataRegistry(args.lab_dir).entries() if e["study"] == f"{spec.name} (holdout)"]
    if not any(sorted(e["files"].values()) == sorted(tested.values()) for e in holdouts):
        return _refuse("--data is not the data the holdout read (its file hashes are not in the registry)")
    study_plans, holdout_plans = wiring.plans_of(spec, seen), wiring.plans_of(spec, unseen)
    session = wiring.session_of(spec, joined(seen, unseen), [*study_plans, *holdout_plans], len(study_plans))
    periods = session.periods(params)
    costs = lab_costs(params, spec.tiers, spec.slippage_pct, spec.symbol_fees)
    fit = fit_candidate(periods[:-1], periods[-1], params, session.learner_for(params), costs,
                        session.walk_forward,
                        embargo_ms=spec.walk_forward.embargo_bars * periods[-1].interval_ms)
    chosen = next(c for c in frozen.candidates if c["trial"] == args.candidate)
    e = holdout_evidence(entry, payload)
    evidence = LabEvidenceCard(
        source="holdout", study=spec.name, candidate=f"trial {args.candidate}", candidate_hash=chosen["hash"],
        frozen_at=frozen.frozen_at, list_hash=frozen.list_hash, tested_at=payload.get("written", ""),
        data_sha256=tested, periods=list(payload.get("periods", [])), trades=e.trades,
        mean_net_pct=entry.get("mean_net_pct"), ci_low_pct=e.ci_low_pct, ci_high_pct=e.ci_high_pct,
        clustered_by=entry.get("clustered_by", "week"), deflated_sharpe=entry.get("deflated_sharpe"),
        trials=int((payload.get("study") or {}).get("trials_counted") or 0), pbo=e.pbo)
    now = datetime.now(UTC).replace(microsecond=0)
    models = settings.research.retrain.models_dir
    staged = publish_fit(fit, args.lab_dir / spec.name / "promoted", now, settings, periods[-1], evidence,
                         [p.name for p in unseen.files])
    current = _current(models)
    if current is not None:
        archived = archive_model(current, settings.research.retrain.archive_dir, now)
        print(f"archived the model in service: {archived}")
    installed = install_model(staged, models)
    card = ModelCard.read(card_path_for(installed))
    gate = card_gate_verdict(card, research_mapping.lab_gate_thresholds(settings))
    entry_kind = "maker" if params.entry == "maker" else "taker"
    print(f"promoted trial {args.candidate} of study {spec.name}: {installed} ({describe(card, gate)}). "
          f"Trade it as "
          f"tested: risk.default_take_profit_pct {params.take_profit_pct / 100:g}, default_stop_loss_pct "
          f"{params.stop_loss_pct / 100:g}, timing.position_timeout_seconds {params.hold_minutes * 60}, "
          f"execution.maker_entries {entry_kind == 'maker'}, signal.min_probability/min_confidence/"
          f"min_predicted_move_pct 0; the bot loads it at its next start")
    return 0


def _current(models: Path) -> Path | None:
    try:
        return resolve_model_path(models)
    except Exception:  # no model in service: nothing to archive
        return None


def show_gate(args: argparse.Namespace, settings: Settings) -> int:
    model = OnnxModel.load(args.model or Path(settings.model.path))
    verdict = card_gate_verdict(model.card, research_mapping.lab_gate_thresholds(settings))
    print(describe(model.card, verdict))
    for failure in verdict.failures:
        print(f"  failed: {failure}")
    return 0 if verdict.open else 1
