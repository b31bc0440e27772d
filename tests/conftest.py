"""Shared fixtures. Real recorded data is read from ../shared/data beside the checkout, never copied;
the small committed sample (data/sample) is always there.

Without ../shared/data (a fresh clone anywhere else) the tests that need it are skipped with one line
saying why; in CI (CI=true) it is always present, so its absence there is a failure, not a skip."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from tests.support.logs import Logs

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_ROOT = (REPO_ROOT.parent / "shared").resolve()
SHARED_DATA = SHARED_ROOT / "data"
SAMPLE_DATA = REPO_ROOT / "data" / "sample"
SAMPLE_KLINES = SAMPLE_DATA / "binance_spot_1m_2026-03-31_2026-04-03_5pairs.csv.xz"
RECORDED_FIXTURES = REPO_ROOT / "tests" / "fixtures" / "recorded"


def in_ci(environ: dict[str, str] | None = None) -> bool:
    value = (os.environ if environ is None else environ).get("CI", "")
    return value.strip().lower() in {"1", "true", "yes"}


def require_shared(path: Path = SHARED_DATA) -> Path:
    """A file or folder of ../shared (the recorded data, the API notes); skip (fail in CI) without it."""
    if path.exists():
        return path
    inside = path.relative_to(SHARED_ROOT).as_posix() if path.is_relative_to(SHARED_ROOT) else None
    shown = str(path) if inside is None else "../shared" if inside == "." else f"../shared/{inside}"
    if in_ci():
        pytest.fail(f"{shown} not found at {path}: CI always has ../shared beside the checkout")
    pytest.skip(f"{shown} not found: recorded-data tests run in CI")


@pytest.fixture(scope="session")
def _defaults_with_a_tmp_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """config/default.yaml with data.cache_dir in a temporary folder (the only line changed)."""
    from bootstrap.settings import DEFAULT_CONFIG

    folder = tmp_path_factory.mktemp("defaults")
    text = DEFAULT_CONFIG.read_text(encoding="utf-8")
    changed = text.replace("\n  cache_dir: data_cache\n", f"\n  cache_dir: {folder / 'data_cache'}\n")
    assert changed != text, "config/default.yaml no longer says `cache_dir: data_cache`: update this fixture"
    (folder / "default.yaml").write_text(changed, encoding="utf-8")
    return folder / "default.yaml"


@pytest.fixture(autouse=True)
def _data_cache_outside_the_repo(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands a test runs keep their data cache (column copies of recorded CSVs) in a temporary folder,
    never in the checkout's data_cache/; a test's own config or environment still sets it (the defaults
    are the lowest layer). Tests of the default file itself are marked `real_defaults`."""
    if request.node.get_closest_marker("real_defaults") is None:
        monkeypatch.setattr("bootstrap.settings.DEFAULT_CONFIG",
                            request.getfixturevalue("_defaults_with_a_tmp_cache"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    return require_shared(SHARED_DATA)


@pytest.fixture(scope="session")
def shared_root() -> Path:
    """../shared itself (binance-spot-api.md and the recorded data)."""
    return require_shared(SHARED_ROOT)


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


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Run a command as a user would, in an empty folder (no .env; logs land in tmp) with no CryptoScalper
    variable of this machine set; loguru back to its default sink afterwards."""
    from loguru import logger

    from bootstrap.settings import ENV_PREFIX, SPEC_ENV_NAMES

    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith(ENV_PREFIX) or name in SPEC_ENV_NAMES:
            monkeypatch.delenv(name)
    yield tmp_path
    logger.remove()
    logger.add(sys.stderr)


@pytest.fixture
def logs() -> Iterator[Logs]:
    """Every loguru record (DEBUG and up) while the test runs."""
    from loguru import logger

    records = Logs()
    sink = logger.add(lambda message: records.append(cast(dict[str, Any], message.record)), level="DEBUG",
                      format="{message}")
    yield records
    logger.remove(sink)
