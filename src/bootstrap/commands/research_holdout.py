"""`research freeze` and `research holdout` (issue 16, item 3).

freeze: the study's finalists (its best complete trials) are written with their hashes to frozen.json;
refused when a list is already frozen. holdout: every frozen candidate is walked forward ONCE on data no
study of this project has read (the data registry): trained on the study's data, tested only on the
holdout periods; the deflated Sharpe ratio still counts every trial of the study. Refused when nothing
is frozen, the list was edited, the data was read by a study, or the holdout was already run.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from adapters.history.schema import HistoryDataError
from adapters.research.data_registry import DataRegistry
from adapters.research.frozen_list import HOLDOUT, freeze_list, read_frozen, write_frozen
from adapters.research.lab_data import joined
from adapters.research.lab_report import write_lab_report
from adapters.research.optuna_study import trial_records
from application.research.judge_candidates import best_records, judge_candidates
from application.research.lab_payload import lab_payload
from application.research.study_figures import study_overfitting
from bootstrap import lab_wiring as wiring
from bootstrap.lab_spec import LabSpec

EXIT_NO_DATA, EXIT_REFUSED = 3, 4


def _context(spec: LabSpec) -> dict[str, object]:
    context = {"walk_forward": vars(spec.walk_forward) | {"first_test_period": 1},
               "slippage_pct": spec.slippage_pct, "tiers": [vars(t) for t in spec.tiers],
               "data_plan": dict(vars(spec.data))}
    if spec.symbol_fees:  # only when given: the hash of a list frozen without a fee table stays the same
        context["symbol_fees"] = {s: vars(t) for s, t in spec.symbol_fees.items()}
    return context


def _refuse(message: str) -> int:
    print(f"research holdout: refused: {message}", file=sys.stderr)
    return EXIT_REFUSED


def freeze(args: argparse.Namespace, spec: LabSpec) -> int:
    folder = wiring.study_folder(args.lab_dir, spec)
    if (folder / "frozen.json").exists():
        print(f"research freeze: refused: {folder / 'frozen.json'} is already frozen", file=sys.stderr)
        return EXIT_REFUSED
    study = wiring.open_spec_study(spec, wiring.storage_url(args.lab_dir, spec, args.storage))
    finalists = best_records(trial_records(study), spec.search.finalists)
    if not finalists:
        print("research freeze: refused: the study has no complete trial to freeze", file=sys.stderr)
        return EXIT_REFUSED
    now = datetime.now(UTC).isoformat(timespec="seconds")
    frozen = freeze_list(spec.name, now, study.user_attrs.get("data", []),
                         [(r.number, r.params, r.value) for r in finalists], _context(spec))
    path = write_frozen(folder, frozen)
    print(f"frozen {len(finalists)} candidates of study {spec.name} at {now}: {path} "
          f"(list hash {frozen.list_hash[:16]})")
    return 0


def holdout(args: argparse.Namespace, spec: LabSpec, paths: list[Path]) -> int:
    folder = wiring.study_folder(args.lab_dir, spec)
    try:
        frozen = read_frozen(folder)
    except ValueError as exc:
        return _refuse(str(exc))
    if (folder / HOLDOUT).exists():
        done = json.loads((folder / HOLDOUT).read_text(encoding="utf-8")).get("written")
        return _refuse(f"the frozen list was already evaluated on holdout data ({done}); once only")
    registry = DataRegistry(args.lab_dir)
    try:
        unseen = wiring.load_data(spec, paths)
        seen = wiring.load_data(spec, [Path(p) for p in frozen.data])
    except (HistoryDataError, ValueError, OSError) as exc:
        print(f"research holdout: cannot read the market data: {exc}", file=sys.stderr)
        return EXIT_NO_DATA
    why = registry.already_read(unseen.files, unseen.klines)
    if why:
        return _refuse(f"{why}: a holdout must be data no study has read")
    study_plans, holdout_plans = wiring.plans_of(spec, seen), wiring.plans_of(spec, unseen)
    session = wiring.session_of(spec, joined(seen, unseen), [*study_plans, *holdout_plans], len(study_plans))
    now = datetime.now(UTC).isoformat(timespec="seconds")
    registry.record(f"{spec.name} (holdout)", unseen.files, unseen.klines, now)  # never a holdout again
    url = wiring.storage_url(args.lab_dir, spec, args.storage)
    records = trial_records(wiring.open_spec_study(spec, url))
    study = study_overfitting(records)  # N, the Sharpe variance and PBO of the whole search
    chosen = {c["trial"] for c in frozen.candidates}
    candidates = judge_candidates([r for r in records if r.number in chosen], study, session.replay,
                                  session.calendar.tolist(), top=len(chosen), thresholds=spec.thresholds,
                                  seed=spec.search.seed, states=session.market_states,
                                  regime_rule=session.regime_rules.describe())
    meta = {"study_name": spec.name, "mode": "holdout", "frozen_at": frozen.frozen_at,
            "list_hash": frozen.list_hash, "data": unseen.describe(), "written": now,
            "periods": [p.name for p in holdout_plans], "command": "python -m bootstrap research holdout"}
    payload = lab_payload(meta, records, study, candidates, spec.thresholds)
    write_lab_report(folder / "holdout", payload)
    (folder / HOLDOUT).write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
    print(f"holdout of the list frozen at {frozen.frozen_at}: {payload['verdict']}")
    return 0
