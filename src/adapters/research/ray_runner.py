"""Trials on Ray: `workers` copies of a study worker, each on its own core (one CPU each), on a local Ray
started here or on an existing cluster (`address`, e.g. "127.0.0.1:6379" or "auto"). The workers share
the Optuna study through its storage, so every node must reach the storage URL and the data paths.
Each worker is called as worker(*args, index), index 0..workers-1. While they run, `poll` is called every
few seconds (the progress bar reads the study's storage).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import ray

LOOPBACK = "127.0.0.1"


def run_workers(worker: Callable[..., Any], args: Sequence[Any], *, workers: int, address: str | None = None,
                env: Mapping[str, str] | None = None, poll: Callable[[], None] | None = None) -> list[Any]:
    # Without an address: a new local Ray on the loopback interface (never joined to another one found).
    where: dict[str, Any] = {"address": address} if address else {"address": "local",
                                                                  "_node_ip_address": LOOPBACK}
    ray.init(**where, runtime_env={"env_vars": dict(env or {})}, include_dashboard=False,
             logging_level=logging.WARNING, log_to_driver=False)
    try:
        remote = ray.remote(num_cpus=1)(worker)
        # each worker gets its index last: it seeds its own sampler (the same seed everywhere drew the
        # same startup trials in every worker, each then run twice)
        pending = [remote.remote(*args, index) for index in range(workers)]
        done: list[Any] = []
        while pending:
            ready, pending = ray.wait(pending, num_returns=len(pending), timeout=2.0)
            done += ready
            if poll is not None:
                poll()
        return list(ray.get(done))
    finally:
        ray.shutdown()


def cluster_nodes(address: str) -> int:
    """How many live nodes the cluster at `address` has (a check before a study is sent to it)."""
    ray.init(address=address, include_dashboard=False, logging_level=logging.WARNING)
    try:
        # untyped with ray installed, Any without it (an optional extra): the ignore holds in both cases
        nodes: list[dict[str, Any]] = ray.nodes()  # type: ignore[no-untyped-call, unused-ignore]
        return len([node for node in nodes if node.get("Alive")])
    finally:
        ray.shutdown()
