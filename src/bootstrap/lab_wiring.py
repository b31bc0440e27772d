"""Wiring of the edge lab (`research`): a study's data, session, learner, storage and judged report.

The only place that names the lab's concrete classes: LightGBM learners built per candidate, the Optuna
study in SQLite (or any SQLAlchemy URL), the plotly/JSON report, the data registry.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from adapters.research.lab_data import LabData
from adapters.research.optuna_study import objective, open_study, run_trials, sqlite_url, trial_records
from adapters.training.edge_learner import LightGbmEdgeLearner
from adapters.training.lightgbm_trainer import BoosterParams
from application.research.judge_candidates import Candidate, judge_candidates
from application.research.lab_payload import lab_payload
from application.research.lab_session import LabSession
from application.research.market_periods import PeriodPlan
from application.research.study_figures import StudyOverfitting, study_overfitting
from application.research.trial_params import TrialParams
from bootstrap.lab_confirm import confirmations, fold_simulator
from bootstrap.lab_data_wiring import load_data as load_data  # re-exported: the data half is its own
from bootstrap.lab_data_wiring import plans_of as plans_of  # module, light enough for the edge preset
from bootstrap.lab_data_wiring import study_folder as study_folder
from bootstrap.lab_spec import LabSpec, load_spec
from bootstrap.settings import load_settings
from bootstrap.settings_model import Settings
from domain.research_trials import TrialRecord
from ports.training import EdgeLearner


def learner_for(seed: int) -> Any:
    def build(params: TrialParams) -> EdgeLearner:
        # One thread per trial: parallel trials (Ray workers) share the cores instead.
        return LightGbmEdgeLearner(BoosterParams(
            n_estimators=params.n_estimators, learning_rate=params.learning_rate,
            num_leaves=params.num_leaves, min_child_samples=params.min_child_samples,
            early_stopping_rounds=20, n_jobs=1, seed=seed))
    return build


def storage_url(lab_dir: Path, spec: LabSpec, given: str | None) -> str:
    return given or sqlite_url(study_folder(lab_dir, spec) / "study.sqlite3")


def trading_settings(settings: Settings | None) -> Settings:
    """The settings whose risk book the research core applies (the defaults when none are given)."""
    return settings if settings is not None else load_settings(None, environ={}, env_file=None)


def session_of(spec: LabSpec, data: LabData, plans: Sequence[PeriodPlan], first_test: int = 1,
               settings: Settings | None = None) -> LabSession:
    """Trials are scored through the compiled research core under `settings`' risk book."""
    walk = dataclasses.replace(spec.walk_forward, first_test_period=first_test)
    return LabSession(data.klines, plans, learner_for(spec.search.seed), walk, spec.tiers, spec.slippage_pct,
                      dict(spec.data.universes), symbol_fees=dict(spec.symbol_fees),
                      simulate=fold_simulator(trading_settings(settings), spec), regime_rules=spec.regimes)


def open_spec_study(spec: LabSpec, url: str, worker: int = 0) -> Any:
    """The study, its sampler seeded per worker (worker 0, the in-process run, keeps the spec's seed)."""
    s = spec.search
    return open_study(url, spec.name, seed=s.seed + worker, startup_trials=s.startup_trials,
                      heartbeat_seconds=s.heartbeat_seconds)


def judged(spec: LabSpec, session: LabSession, records: list[TrialRecord], top: int | None = None
           ) -> tuple[StudyOverfitting, list[Candidate]]:
    study = study_overfitting(records)
    candidates = judge_candidates(records, study, session.replay, session.calendar.tolist(),
                                  top=top or spec.search.finalists, thresholds=spec.thresholds,
                                  seed=spec.search.seed, states=session.market_states,
                                  regime_rule=session.regime_rules.describe())
    return study, candidates


def study_report(spec: LabSpec, session: LabSession, url: str, meta: dict[str, Any],
                 settings: Settings | None = None) -> dict[str, Any]:
    """The judged report; each finalist's trades, scored by the research core, replayed through the real
    loop too (`real_loop` beside its figures; a disagreement is said in the verdict)."""
    records = trial_records(open_spec_study(spec, url))
    study, candidates = judged(spec, session, records)
    payload = lab_payload(meta, records, study, candidates, spec.thresholds)
    checks = confirmations(candidates, trading_settings(settings))
    for shown, check in zip(payload["candidates"], checks, strict=True):
        shown["real_loop"] = check
    if any(check["agree"] is False for check in checks):
        payload["verdict"] += " WARNING: the real loop disagrees with the research core on a finalist."
    return payload


def study_worker(spec_path: str, data_paths: list[str], url: str, target: int, worker: int = 0) -> int:
    """One worker of a study (in a Ray task): its own data, session and sampler seed, the shared study;
    returns how many trials it ran."""
    spec = load_spec(Path(spec_path))
    data = load_data(spec, [Path(p) for p in data_paths])
    session = session_of(spec, data, plans_of(spec, data))
    study = open_spec_study(spec, url, worker)
    return run_trials(study, objective(spec.space, session.score, spec.search.min_trades), target,
                      progress=False)
