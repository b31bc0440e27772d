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
    """For run_backtest: one bar per replay (the model, then each baseline), counted in minutes."""
    def for_run(name: str) -> Callable[[int, int], None] | None:
        return counter(f"backtest: {name}", "min", enabled=enabled) if enabled else None

    return for_run
