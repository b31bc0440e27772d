"""Progress bars: on stderr only on a terminal, a step counted once finished, a failure never at 100%."""

from __future__ import annotations

import io
import sys
from functools import partialmethod

import pytest
from tqdm import tqdm

from bootstrap.progress import FileSteps, Steps, loading_bars, replay_bars


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def terminal(monkeypatch: pytest.MonkeyPatch) -> Terminal:
    """stderr as a terminal from here on (in the test's body: pytest's capture resets stderr after setup)."""
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    # draw every update, not at most every 0.1 s (the way tqdm's docs change a default for all bars)
    monkeypatch.setattr(tqdm, "__init__", partialmethod(tqdm.__init__, mininterval=0))
    return terminal


def last(screen: Terminal) -> str:
    """The bar as the terminal shows it now: the last line drawn."""
    return [line for line in screen.getvalue().replace("\n", "\r").split("\r") if line.strip()][-1]


def test_a_step_counts_when_the_next_one_starts_and_finish_ends_it(monkeypatch: pytest.MonkeyPatch) -> None:
    screen = terminal(monkeypatch)
    steps = Steps("train: fitting", 4)
    steps("fitting")
    assert "0/4" in last(screen)
    steps("calibrating")
    steps.note("120 rows")  # a message that is not a step
    steps("evaluating")
    assert "2/4" in last(screen)
    steps.finish()
    assert "4/4" in last(screen) and "100%" in last(screen)


def test_an_abandoned_job_stops_where_it_was(monkeypatch: pytest.MonkeyPatch) -> None:
    screen = terminal(monkeypatch)
    steps = Steps("report edge", 5)
    steps("one")
    steps("two")
    steps.abandon()
    assert "1/5" in last(screen) and "100%" not in screen.getvalue()


def test_files_count_when_the_reader_moves_to_the_next_file(monkeypatch: pytest.MonkeyPatch) -> None:
    screen = terminal(monkeypatch)
    files = FileSteps("train: loading", ["a.csv", "b.csv", "c.csv"])
    for message in ("a.csv: BTC 10 rows", "a.csv: ETH 10 rows", "b.csv: BTC 5 rows"):
        files(message)
    assert "1/3" in last(screen)
    files.finish()
    assert "3/3" in last(screen)


def test_loading_shows_bytes_then_symbols_with_their_totals(monkeypatch: pytest.MonkeyPatch) -> None:
    screen = terminal(monkeypatch)
    update = loading_bars("venue")
    update("bytes", 1_000_000, 4_000_000)
    update("bytes", 2_000_000, 4_000_000)
    assert "2.00M/4.00M" in last(screen)
    update("bytes", 4_000_000, 4_000_000)
    update("symbols", 3, 96)
    assert "venue: symbols" in last(screen) and "3/96" in last(screen)


def test_nothing_is_drawn_when_stderr_is_not_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    steps = Steps("train", 2)
    steps("a")
    steps.finish()
    loading_bars("venue")("bytes", 1, 2)
    assert capsys.readouterr().err == ""
    lines = Steps("report edge", 2, lines=True)  # off the terminal the edge report still says what it does
    lines("simulating")
    assert capsys.readouterr().err == "simulating\n"


def test_the_replay_gets_no_callback_when_bars_are_off() -> None:
    assert replay_bars(False)("model") is None
    assert replay_bars(True)("model") is not None
