"""Logs and journals are the user's alone (0600 files in 0700 folders); an unwritable path is one line and
exit 2 at start, never a traceback at the first trade."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from loguru import logger
from tests.unit.adapters.storage.test_trade_journal import a_trade

from adapters.storage.private_files import UnwritablePath
from adapters.storage.trade_journal import CsvJsonTradeJournal
from bootstrap.__main__ import EXIT_CONFIG_ERROR, main
from bootstrap.logging import configure_logging
from bootstrap.settings_model import LoggingSettings


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture(autouse=True)
def open_umask(cli_env: Path) -> Iterator[None]:
    """A permissive umask (022), as on most machines: the modes must not depend on it."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_journal_files_are_0600_in_0700_folders(tmp_path: Path) -> None:
    folder = tmp_path / "state" / "logs"
    journal = CsvJsonTradeJournal(folder / "trades.csv", folder / "trades.jsonl")
    assert not (tmp_path / "state").exists()  # built: checked, nothing written yet
    journal.record(a_trade())
    assert mode(folder) == 0o700 and mode(folder.parent) == 0o700
    assert mode(folder / "trades.csv") == 0o600 and mode(folder / "trades.jsonl") == 0o600
    (folder / "trades.jsonl").unlink()  # recreated by the next record: still private
    journal.record(a_trade())
    assert mode(folder / "trades.jsonl") == 0o600 and len(journal.trades()) == 1


def test_an_existing_world_readable_journal_is_narrowed(tmp_path: Path) -> None:
    (tmp_path / "trades.csv").write_text("")
    os.chmod(tmp_path / "trades.csv", 0o644)
    CsvJsonTradeJournal(tmp_path / "trades.csv", tmp_path / "trades.jsonl")
    assert mode(tmp_path / "trades.csv") == 0o600
    assert mode(tmp_path) == stat.S_IMODE(os.stat(tmp_path).st_mode)  # an existing folder is left alone


def test_log_files_are_0600_in_0700_folders(tmp_path: Path) -> None:
    path = tmp_path / "run" / "logs" / "bot.log"
    configure_logging(LoggingSettings(file_path=path))
    logger.info("hello")
    assert path.read_text().strip().endswith("hello")
    assert mode(path) == 0o600 and mode(path.parent) == 0o700 and mode(path.parent.parent) == 0o700


def test_an_unwritable_journal_path_is_refused_when_built(tmp_path: Path) -> None:
    (tmp_path / "a_file").write_text("")
    with pytest.raises(UnwritablePath, match=r"cannot write the trade journal .*a_file/trades\.jsonl"):
        CsvJsonTradeJournal(tmp_path / "a_file" / "trades.csv", tmp_path / "a_file" / "trades.jsonl")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder_is_refused(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    with pytest.raises(UnwritablePath, match="Permission denied"):
        CsvJsonTradeJournal(locked / "trades.csv", locked / "trades.jsonl")


REPO = Path(__file__).resolve().parents[4]
CASES = [("file_path", "backtest"), ("file_path", "paper"), ("file_path", "live"),
         ("trade_log_path", "paper")]  # live checks its keys first; its journal is built as paper's


@pytest.mark.parametrize(("key", "command"), CASES)
def test_an_unwritable_path_in_the_config_is_one_line_and_exit_2(tmp_path: Path, key: str, command: str,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a_file").write_text("")
    config = tmp_path / "config.yaml"
    config.write_text(f"logging:\n  {key}: {tmp_path / 'a_file' / 'out.log'}\n"
                      f"model:\n  path: {REPO / 'models' / 'onnx'}\n", encoding="utf-8")
    assert main(["--config", str(config), command]) == EXIT_CONFIG_ERROR
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert "Traceback" not in err and len(lines) == 1, err
    assert lines[0].startswith("config error: cannot write the") and "a_file" in lines[0]


def test_the_live_container_refuses_an_unwritable_journal(tmp_path: Path) -> None:
    from bootstrap.container import build_container
    from bootstrap.settings_model import Settings

    (tmp_path / "a_file").write_text("")
    logging = LoggingSettings(trade_log_path=tmp_path / "a_file" / "t.csv")
    with pytest.raises(UnwritablePath, match="trade journal"):
        build_container(Settings(logging=logging), "live").trade_journal()
