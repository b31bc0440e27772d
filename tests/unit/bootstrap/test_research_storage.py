"""`research --storage URL`: a URL that does not parse, names a database whose driver is absent, or does
not answer is one line on stderr (its password masked), exit 5, before any data is read."""

from __future__ import annotations

import importlib.util
import socket
from pathlib import Path

import pytest
from tests.unit.bootstrap.test_research_command import _research, _spec

from bootstrap.commands.research import EXIT_BAD_STORAGE


def _one_line(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert _research(*argv) == EXIT_BAD_STORAGE
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port  # closed again when the probe goes


@pytest.fixture
def common(tmp_path: Path) -> tuple[str, ...]:
    # no data at this path: the storage is checked before the data is read
    return ("--spec", str(_spec(tmp_path)), "--data", str(tmp_path / "absent.csv"), "--lab-dir",
            str(tmp_path / "lab"))


def test_a_url_that_does_not_parse(common: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> None:
    err = _one_line(capsys, *common, "--storage", "lab.sqlite3")
    assert err.startswith("research: --storage is not a SQLAlchemy URL (e.g. sqlite:")


def test_an_unknown_database_kind(common: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> None:
    assert "unknown database kind 'nosuchdb'" in _one_line(capsys, *common, "--storage", "nosuchdb://h/x")


def test_a_database_whose_driver_is_absent(common: tuple[str, ...], capsys: pytest.CaptureFixture[str]
                                           ) -> None:
    if importlib.util.find_spec("MySQLdb") is not None:
        pytest.skip("MySQLdb is installed: no absent driver to name")
    err = _one_line(capsys, *common, "--storage", "mysql://lab@127.0.0.1/lab")
    assert "its driver 'MySQLdb' is not installed" in err


def test_a_server_that_does_not_answer_never_shows_the_password(
        common: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> None:
    if importlib.util.find_spec("psycopg") is None:
        pytest.skip('psycopg not installed (pip install -e ".[cluster]"): not checked')
    url = f"postgresql://lab:s3cret@127.0.0.1:{_closed_port()}/lab"
    err = _one_line(capsys, *common, "--storage", url)
    assert "cannot open it" in err and "s3cret" not in err and "lab:***@127.0.0.1" in err
    assert not (Path(common[5]) / "tiny").exists()  # nothing written


def test_an_unreachable_sqlite_folder(common: tuple[str, ...], tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    err = _one_line(capsys, *common, "--storage", f"sqlite:///{tmp_path}/no/such/folder/study.db")
    assert "cannot open it: unable to open database file" in err
