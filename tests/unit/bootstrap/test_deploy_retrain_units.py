"""deploy/cryptoscalper-retrain.{service,timer} (issue 16 item 8): parsed here, and verified by
systemd-analyze where it is installed (with the venv's python swapped for this one, so it exists)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

UNITS = ("cryptoscalper-retrain.service", "cryptoscalper-retrain.timer")


def parse_unit(text: str) -> dict[str, dict[str, list[str]]]:
    """Sections -> key -> values (a key may repeat), with backslash continuations joined."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] | None = None
    joined = text.replace("\\\n", " ")
    for raw in joined.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        assert current is not None, f"a key outside any section: {line!r}"
        key, sep, value = line.partition("=")
        assert sep, f"not a key=value line: {line!r}"
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def test_the_timer_runs_the_retrain_service_every_two_to_four_weeks(repo_root: Path) -> None:
    timer = parse_unit((repo_root / "deploy" / UNITS[1]).read_text(encoding="utf-8"))
    service = parse_unit((repo_root / "deploy" / UNITS[0]).read_text(encoding="utf-8"))
    assert timer["Timer"]["OnCalendar"] == ["*-*-01,15 03:00:00 UTC"]
    assert timer["Timer"]["Persistent"] == ["true"]
    assert timer["Install"]["WantedBy"] == ["timers.target"]
    assert service["Service"]["Type"] == ["oneshot"]
    (start,) = service["Service"]["ExecStart"]
    assert start.endswith("-m bootstrap --config config/local.yaml research retrain")
    assert "download --symbols top:5" in service["Service"]["ExecStartPre"][0]
    assert "/opt/cryptoscalper/models" in service["Service"]["ReadWritePaths"][0]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_analyze_verifies_both_units(repo_root: Path, tmp_path: Path) -> None:
    for name in UNITS:
        text = (repo_root / "deploy" / name).read_text(encoding="utf-8")
        (tmp_path / name).write_text(text.replace("/opt/cryptoscalper/.venv/bin/python", sys.executable))
    done = subprocess.run(["systemd-analyze", "verify", *UNITS], cwd=tmp_path, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr
    gaps = subprocess.run(["systemd-analyze", "calendar", "--iterations=6", "*-*-01,15 03:00:00 UTC"],
                          capture_output=True, text=True, timeout=60)
    assert gaps.returncode == 0 and "Next elapse" in gaps.stdout
