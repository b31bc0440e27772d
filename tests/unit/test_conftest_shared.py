"""The shared-data fixture: a skip with one line outside CI, a failure in CI (CI always has ../shared)."""

from __future__ import annotations

from pathlib import Path

import pytest
from _pytest.outcomes import Failed, Skipped
from tests.conftest import SHARED_ROOT, in_ci, require_shared


def test_a_missing_folder_is_skipped_with_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(Skipped) as skipped:
        require_shared(SHARED_ROOT / "no-such-folder")
    assert str(skipped.value.msg) == "../shared/no-such-folder not found: recorded-data tests run in CI"


def test_in_ci_a_missing_folder_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(Failed, match=r"CI always has \.\./shared"):
        require_shared(SHARED_ROOT / "no-such-folder")


def test_ci_is_read_from_the_environment() -> None:
    assert in_ci({"CI": "true"}) and in_ci({"CI": "1"})
    assert not in_ci({}) and not in_ci({"CI": "false"})


def test_the_committed_sample_is_small_and_real(sample_klines: Path) -> None:
    assert sample_klines.is_file() and sample_klines.stat().st_size < 1_000_000
    assert "Source" in (sample_klines.parent / "README.md").read_text(encoding="utf-8")
