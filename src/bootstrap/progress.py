"""Progress bars (tqdm) for the long jobs: on stderr, with a total and an ETA, and only on a terminal
(`disable=None` is tqdm's "off when not a TTY") unless the command's --no-progress turns them off.

Use cases never import tqdm: they take a plain callable (done, total), which `replay_bar` provides.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from tqdm import tqdm


def bar(desc: str, total: int | None, unit: str, *, enabled: bool = True) -> tqdm[Any]:
    return tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, disable=None if enabled else True,
                dynamic_ncols=True, leave=True)


def counter(desc: str, unit: str, *, enabled: bool = True) -> Callable[[int, int], None]:
    """A (done, total) callback drawing one bar, created at the first call and closed when done == total."""
    state: dict[str, tqdm[Any]] = {}

    def update(done: int, total: int) -> None:
        shown = state.get("bar")
        if shown is None:
            shown = state["bar"] = bar(desc, total, unit, enabled=enabled)
        if done > shown.n:
            shown.update(done - shown.n)
        if done >= total:
            shown.close()

    return update


def replay_bars(enabled: bool) -> Callable[[str], Callable[[int, int], None] | None]:
    """For run_backtest: one bar for the precompute (symbols), then one per replay (the model, then each
    baseline), counted in minutes."""
    def for_run(name: str) -> Callable[[int, int], None] | None:
        unit = "symbol" if name.startswith("precompute") else "min"
        return counter(f"backtest: {name}", unit, enabled=enabled) if enabled else None

    return for_run


class Steps:
    """A bar over a known number of steps for a job that reports itself in messages (a `progress(message)`
    callable): each message names the step starting now and counts the one before it as done (so the
    ETA is measured on finished steps). Off the terminal (or turned off), `lines=True` prints each
    message on its own line instead, so logs still say what is happening."""

    def __init__(self, desc: str, total: int, unit: str = "step", *, enabled: bool = True,
                 lines: bool = False) -> None:
        self._bar = bar(desc, total, unit, enabled=enabled)
        self._lines = lines and self._bar.disable
        self._running: str | None = None  # the step under way, named by its message

    def __call__(self, message: str) -> None:
        self.step(message)

    def _key(self, message: str) -> str:
        return message

    def step(self, message: str) -> None:
        if self._lines:
            print(message, file=sys.stderr)
        key = self._key(message)
        if self._running is not None and key != self._running:
            self._bar.update(1)
        self._running = key
        self._bar.set_postfix_str(message[:60])

    def note(self, message: str) -> None:
        """Show a message without starting a step."""
        if self._lines:
            print(message, file=sys.stderr)
        self._bar.set_postfix_str(message[:60])

    def finish(self) -> None:
        """Every step done (steps that sent no message, such as a data set read at once, included)."""
        if self._bar.total is not None and self._bar.n < self._bar.total:
            self._bar.update(self._bar.total - self._bar.n)
        self._bar.close()

    def abandon(self) -> None:
        """The job failed: the bar stops where it was, never at 100%."""
        self._bar.close()


class FileSteps(Steps):
    """Loading several files whose reader reports per symbol ("<file name>: <symbol> ..."): a step is a
    file, done when the next file's first message arrives or at `finish`."""

    def __init__(self, desc: str, names: list[str], *, enabled: bool = True) -> None:
        super().__init__(desc, len(names), "file", enabled=enabled)

    def _key(self, message: str) -> str:
        return message.split(":", 1)[0]


def loading_bars(desc: str, *, enabled: bool = True) -> Callable[[str, int, int], None]:
    """For adapters.history's LoadProgress (what, done, total): one bar per stage (the bytes of the file
    read, then the symbols checked), each closed when its stage completes."""
    bars: dict[str, tqdm[Any]] = {}

    def update(what: str, done: int, total: int) -> None:
        shown = bars.get(what)
        if shown is None:
            scale = what == "bytes"
            shown = bars[what] = tqdm(total=total, desc=f"{desc}: {'reading' if scale else what}",
                                      unit="B" if scale else " " + what, unit_scale=scale, file=sys.stderr,
                                      disable=None if enabled else True, dynamic_ncols=True)
        if done > shown.n:
            shown.update(done - shown.n)
        if done >= total and not shown.disable:
            shown.close()

    return update
