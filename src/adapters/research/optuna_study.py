"""The lab's search on Optuna: a TPE sampler, a median pruner fed after every walk-forward fold, and the
study in durable storage (SQLite by default, any SQLAlchemy URL for several machines).

Resuming: a study is opened by name with `load_if_exists`, and `--trials N` is the total the study should
reach, so a run that was killed goes on from where it stopped. Trials send a heartbeat; one that stopped
beating (its process was killed) is marked failed when the study is next run and retried once; one killed
before its first heartbeat (Optuna never finds it stale) is failed when the study is next opened.
"""

from __future__ import annotations

import math
import os
import random
import time
import warnings
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import optuna
import sqlalchemy
from optuna.storages import RDBStorage, RetryHeartbeatStaleTrialCallback
from optuna.study import MaxTrialsCallback
from optuna.trial import FrozenTrial, TrialState
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError
from tqdm import tqdm

from domain.research_trials import TrialRecord, TrialScore

StopAsk = Callable[[int, float], bool]  # (fold, running mean) -> stop the trial here
ScoreFn = Callable[[Mapping[str, Any], StopAsk], TrialScore]
STATES = {TrialState.COMPLETE: "complete", TrialState.PRUNED: "pruned", TrialState.FAIL: "failed"}


def sqlite_url(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path.resolve()}"


def open_study(storage_url: str, name: str, *, seed: int, startup_trials: int, heartbeat_seconds: int
               ) -> optuna.Study:
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
    storage = _storage(storage_url, heartbeat_seconds)
    study = optuna.create_study(
        study_name=name, storage=storage, direction="maximize", load_if_exists=True,
        sampler=optuna.samplers.TPESampler(seed=seed, n_startup_trials=startup_trials),
        pruner=optuna.pruners.MedianPruner(n_startup_trials=startup_trials, n_warmup_steps=0))
    fail_beatless_trials(storage, storage.get_study_id_from_name(name), 2 * heartbeat_seconds)
    return study


_BEATLESS = sqlalchemy.text(
    "select t.trial_id from trials t left join trial_heartbeats h on h.trial_id = t.trial_id "
    "where t.study_id = :study and t.state = 'RUNNING' and h.trial_id is null and t.datetime_start < :before")


def fail_beatless_trials(storage: RDBStorage, study_id: int, grace_seconds: float) -> int:
    """A process killed between creating a trial and its first heartbeat leaves a RUNNING trial with no
    heartbeat, which Optuna's stale check skips: it would stay running for ever. Older than the grace
    period (a live trial beats at once), it is failed. Optuna stamps datetime_start in local time."""
    before = datetime.now() - timedelta(seconds=grace_seconds)
    with storage.engine.connect() as db:
        ids = [row[0] for row in db.execute(_BEATLESS, {"study": study_id, "before": before})]
    for trial_id in ids:
        storage.set_trial_state_values(trial_id, TrialState.FAIL)
    return len(ids)


def _storage(url: str, heartbeat_seconds: int, attempts: int = 5) -> RDBStorage:
    """Optuna creates its tables and version rows unguarded: two machines opening one new database at
    once collide there (a duplicate table or key). The loser tries again and finds them made."""
    for attempt in range(attempts):
        try:
            return RDBStorage(url, heartbeat_interval=heartbeat_seconds, grace_period=2 * heartbeat_seconds,
                              heartbeat_stale_trial_callback=RetryHeartbeatStaleTrialCallback(max_retry=1))
        except (IntegrityError, ProgrammingError, OperationalError):
            if attempt == attempts - 1:
                raise
            time.sleep(0.2 + random.random() * 0.5 * (attempt + 1))
    raise AssertionError("unreachable")


def suggest(trial: optuna.Trial, space: Mapping[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, domain in space.items():
        if isinstance(domain, list):
            values[key] = trial.suggest_categorical(key, domain)
        elif isinstance(domain, Mapping):
            low, high, log = domain["low"], domain["high"], bool(domain.get("log", False))
            if isinstance(low, int) and isinstance(high, int):
                values[key] = trial.suggest_int(key, low, high, step=int(domain.get("step", 1)), log=log)
            else:
                values[key] = trial.suggest_float(key, float(low), float(high), log=log,
                                                  step=domain.get("step"))
        else:
            values[key] = domain
    return values


def objective(space: Mapping[str, Any], score: ScoreFn, min_trades: int) -> Callable[[optuna.Trial], float]:
    def run(trial: optuna.Trial) -> float:
        values = suggest(trial, space)

        def should_stop(fold: int, running: float) -> bool:
            if not math.isfinite(running):
                return False
            trial.report(running, fold)
            return trial.should_prune()

        trial.set_user_attr("worker_pid", os.getpid())  # which worker ran it (Ray spreads trials)
        result = score(values, should_stop)
        trial.set_user_attr("params", result.params)
        trial.set_user_attr("count", result.count)
        if result.pruned:
            raise optuna.TrialPruned(f"pruned after a fold (running mean {result.value:+.4f}%)")
        if result.count < min_trades or not math.isfinite(result.value):
            trial.set_user_attr("too_few_trades", True)
            raise optuna.TrialPruned(f"{result.count} trades < {min_trades}")
        trial.set_user_attr("daily_pnl", list(result.daily_pnl))
        return result.value

    return run


def finished(study: optuna.Study) -> int:
    return sum(t.state in STATES for t in study.get_trials(deepcopy=False))


def run_trials(study: optuna.Study, run: Callable[[optuna.Trial], float], target: int, *,
               progress: bool = True) -> int:
    """Run trials until the study holds `target` finished ones; returns how many this call ran."""
    done = finished(study)
    remaining = max(target - done, 0)
    bar = tqdm(total=target, initial=done, desc=f"study {study.study_name}", unit="trial",
               disable=not progress)

    def tick(_study: optuna.Study, _trial: FrozenTrial) -> None:
        bar.update(1)

    # Several workers on one study: stop when the study (not this worker) has reached the target.
    enough = MaxTrialsCallback(target, states=tuple(STATES)[:2])
    try:
        study.optimize(run, n_trials=remaining, callbacks=[tick, enough], catch=())
    finally:
        bar.close()
    return remaining


def trial_records(study: optuna.Study) -> list[TrialRecord]:
    out = []
    for t in study.get_trials(deepcopy=False):
        if t.state not in STATES:
            continue
        daily = t.user_attrs.get("daily_pnl")
        params = t.user_attrs.get("params") or dict(t.params)
        row = tuple(daily) if daily is not None else None
        out.append(TrialRecord(t.number, dict(params), STATES[t.state], t.value,
                               int(t.user_attrs.get("count", 0)), row))
    return out
