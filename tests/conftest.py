"""Shared fixtures. Real recorded data is read from ../shared/data beside the checkout, never copied;
the small committed sample (data/sample) is always there.

Without ../shared/data (a fresh clone anywhere else) the tests that need it are skipped with one line
saying why; in CI (CI=true) it is always present, so its absence there is a failure, not a skip."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = (REPO_ROOT.parent / "shared" / "data").resolve()
SAMPLE_DATA = REPO_ROOT / "data" / "sample"
SAMPLE_KLINES = SAMPLE_DATA / "binance_spot_1m_2026-03-31_2026-04-03_5pairs.csv.xz"
RECORDED_FIXTURES = REPO_ROOT / "tests" / "fixtures" / "recorded"


def in_ci(environ: dict[str, str] | None = None) -> bool:
    value = (os.environ if environ is None else environ).get("CI", "")
    return value.strip().lower() in {"1", "true", "yes"}


def require_shared_data(folder: Path = SHARED_DATA) -> Path:
    """The recorded data folder; skip (fail in CI) when it is not beside the checkout."""
    if folder.is_dir():
        return folder
    if in_ci():
        pytest.fail(f"the recorded Binance data is expected at {folder} (../shared/data) in CI")
    pytest.skip("../shared/data not found: recorded-data tests run in CI")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    return require_shared_data()


@pytest.fixture(scope="session")
def sample_klines() -> Path:
    """Five pairs x four days of real 1m klines, committed in data/sample."""
    return SAMPLE_KLINES


@pytest.fixture(scope="session")
def recorded() -> Path:
    """Small recorded payloads (nautilus_trader/, cryptofeed_raw/) copied from ../shared/data into
    tests/fixtures/recorded, same layout: they run everywhere."""
    return RECORDED_FIXTURES


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT
