"""A study killed between creating a trial and its first heartbeat: the trial is failed when reopened."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from optuna.trial import TrialState

from adapters.research.optuna_study import open_study, sqlite_url


# ask() outside optimize() is how a trial is created without a heartbeat: Optuna warns about exactly that
@pytest.mark.filterwarnings("ignore:Heartbeat of storage:UserWarning")
def test_a_running_trial_that_never_beat_is_failed_once_past_the_grace_period(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "study.sqlite3")
    study = open_study(url, "s", seed=1, startup_trials=2, heartbeat_seconds=1)
    orphan = study.ask()  # RUNNING with no heartbeat: what a kill right after creation leaves
    time.sleep(2.2)
    fresh = open_study(url, "s", seed=1, startup_trials=2, heartbeat_seconds=1).ask()
    states = {t.number: t.state for t in open_study(url, "s", seed=1, startup_trials=2,
                                                      heartbeat_seconds=1).get_trials(deepcopy=False)}
    assert states[orphan.number] == TrialState.FAIL
    assert states[fresh.number] == TrialState.RUNNING  # within the grace period: maybe alive elsewhere
