"""Each Ray worker of a study seeds its own sampler: the same seed everywhere drew the same startup trials in
every worker, so each was run twice (10 of 61 trials in a 2-worker study of the wide space)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from adapters.research.optuna_study import sqlite_url, suggest
from bootstrap.lab_spec import load_spec
from bootstrap.lab_wiring import open_spec_study

# ask() outside optimize() warns about the heartbeat: these trials are only drawn, never run
pytestmark = pytest.mark.filterwarnings("ignore:Heartbeat of storage:UserWarning")
SPEC = load_spec(Path(__file__).resolve().parents[3] / "config/research/wide.yaml")


def first_draws(folder: Path, worker: int, trials: int = 3) -> list[dict[str, Any]]:
    study = open_spec_study(SPEC, sqlite_url(folder / "study.sqlite3"), worker)
    return [suggest(study.ask(), SPEC.space) for _ in range(trials)]


def test_two_workers_draw_different_startup_trials(tmp_path: Path) -> None:
    assert first_draws(tmp_path / "a", 0) != first_draws(tmp_path / "b", 1)


def test_a_worker_draws_the_same_trials_each_time_it_runs(tmp_path: Path) -> None:
    assert first_draws(tmp_path / "a", 1) == first_draws(tmp_path / "b", 1)
