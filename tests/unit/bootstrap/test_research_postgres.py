"""A study in PostgreSQL (the `cluster` extra's storage for several machines): a real server started on
127.0.0.1, two processes (each with its own lab folder, as two machines would have) writing trials to
the same study at once, then the study resumed to a higher target from a third run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.support.postgres_server import missing, postgres_server
from tests.unit.bootstrap.test_research_command import REPO, _research, _spec, slices  # noqa: F401 (fixture)

if missing():
    pytest.skip(f"{missing()}: the PostgreSQL study is not checked", allow_module_level=True)


@pytest.fixture
def server() -> Iterator[str]:
    with postgres_server() as url:
        yield url


def _trials(url: str) -> list[tuple[int, str, int | None]]:
    import optuna

    study = optuna.load_study(study_name="tiny", storage=url)
    return [(t.number, t.state.name, t.user_attrs.get("worker_pid")) for t in study.get_trials()]


@pytest.mark.slow  # a server, two interpreters and a third run: ~40-90 s
def test_two_processes_share_a_postgresql_study_then_it_resumes(slices: dict[str, Path],  # noqa: F811
                                                                tmp_path: Path, server: str) -> None:
    spec = _spec(tmp_path, trials=8)
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}

    def research(lab: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen([sys.executable, "-m", "bootstrap", "research", "--spec", str(spec), "--data",
                                 str(slices["study"]), "--lab-dir", str(tmp_path / lab), "--storage", server,
                                 "--no-progress"], cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE)

    children = [research("lab-a"), research("lab-b")]
    for child in children:
        _, err = child.communicate(timeout=600)
        assert child.returncode == 0, err.decode()[-2000:]
    trials = _trials(server)
    finished = [t for t in trials if t[1] in ("COMPLETE", "PRUNED")]
    assert len(finished) >= 8
    pids = {pid for _, _, pid in finished}
    assert len(pids) == 2 and set(pids) <= {c.pid for c in children}  # both wrote trials to it
    report = json.loads((tmp_path / "lab-b" / "tiny" / "research.json").read_text(encoding="utf-8"))
    assert report["storage"] == server  # no password in this URL to mask

    lab_a = str(tmp_path / "lab-a")
    assert _research("--spec", str(spec), "--data", str(slices["study"]), "--lab-dir", lab_a, "--storage",
                     server, "--trials", str(len(finished) + 2)) == 0
    resumed = json.loads((tmp_path / "lab-a" / "tiny" / "research.json").read_text(encoding="utf-8"))
    assert resumed["trials_this_run"] == 2 and sum(resumed["trials"].values()) == len(finished) + 2
    after = _trials(server)
    assert [t[0] for t in after] == list(range(len(after)))
    assert [t for t in after if t[0] < len(trials)] == trials  # the first runs' trials kept as they were
