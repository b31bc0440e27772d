"""deploy/healthcheck.sh (the systemd unit's probe) against the console's /health on 127.0.0.1."""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path

import pytest
from tests.support.fakes import T0, trade_at
from tests.support.harness import SYMBOL, feed
from tests.unit.adapters.console.conftest import TOKEN, Served

pytestmark = pytest.mark.skipif(shutil.which("curl") is None, reason="needs curl")


async def probe(served: Served, repo_root: Path, token: str) -> int:
    env = {**os.environ, "CRYPTOSCALPER_CONSOLE_TOKEN": token,
           "CRYPTOSCALPER_HEALTH_URL": f"{served.url}/health"}
    script = repo_root / "deploy" / "healthcheck.sh"
    process = await asyncio.create_subprocess_exec("sh", str(script), env=env)
    return await process.wait()


async def test_the_probe_passes_when_healthy_and_fails_when_stale_or_refused(served: Served,
                                                                             repo_root: Path) -> None:
    await feed(served.h, trade_at(SYMBOL, 1.0, T0 + 100))
    assert await probe(served, repo_root, TOKEN) == 0
    assert await probe(served, repo_root, "wrong-token") != 0
    served.h.clock.advance_to(T0 + 60_000)  # no market event for a minute: the feed is stale
    assert await probe(served, repo_root, TOKEN) != 0
