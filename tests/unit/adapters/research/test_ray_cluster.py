"""A study's trials on a two-node Ray cluster on 127.0.0.1 (ray.cluster_utils: two raylets, one CPU each):
both nodes join, the workers share the study through its SQLite storage and reach its target together."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest
from tests.unit.bootstrap.test_research_command import _research, _spec, slices  # noqa: F401 (fixture)

# Ray's nodes on the loopback address (its default is the machine's address, unreachable here); set before
# ray is imported.
os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
ray_cluster_utils = pytest.importorskip("ray.cluster_utils")


@pytest.mark.slow  # starts a Ray cluster: ~30-60 s
def test_two_nodes_share_one_study(slices: dict[str, Path], tmp_path: Path) -> None:  # noqa: F811
    from adapters.research.ray_runner import cluster_nodes

    cluster = ray_cluster_utils.Cluster(initialize_head=True,
                                        head_node_args={"num_cpus": 1, "node_ip_address": "127.0.0.1"})
    try:
        cluster.add_node(num_cpus=1, node_ip_address="127.0.0.1")
        cluster.wait_for_nodes()
        assert cluster_nodes(cluster.address) == 2
        spec, lab = _spec(tmp_path, trials=4), tmp_path / "lab"
        assert _research("--spec", str(spec), "--data", str(slices["study"]), "--lab-dir", str(lab),
                         "--address", cluster.address, "--workers", "2") == 0
    finally:
        cluster.shutdown()
    with sqlite3.connect(lab / "tiny" / "study.sqlite3") as db:
        finished = db.execute(
            "select count(*) from trials where state in ('COMPLETE', 'PRUNED')").fetchone()[0]
        pids = {json.loads(v) for (v,) in db.execute(
            "select value_json from trial_user_attributes where key = 'worker_pid'").fetchall()}
    assert finished >= 4
    assert len(pids) == 2  # both workers ran trials
