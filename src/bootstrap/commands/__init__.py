"""One module per CLI command. Each exposes `add_parser(subparsers)`; the parser it adds sets `run`,
a function `(args, settings) -> exit code`."""

from __future__ import annotations

import importlib
from types import ModuleType

from bootstrap.lean_imports import LEAN_COMMANDS, import_talib_without_dataframes

# Order is the order shown by --help. A command whose module is missing is not listed.
COMMAND_MODULES = (
    "backtest",
    "paper",
    "live",
    "download",
    "dataset",
    "train",
    "venue",
    "report",
    "reset_kill_switch",
    "research",
)


def command_modules(only: str | None = None) -> list[ModuleType]:
    """The command modules, or just `only`'s: a run imports only its own command, so paper and live do
    not carry training's libraries (lightgbm, scikit-learn, onnx) in memory, nor pandas (lean_imports)."""
    if only in LEAN_COMMANDS:
        import_talib_without_dataframes()
    found = []
    for name in COMMAND_MODULES if only is None else (only,):
        try:
            found.append(importlib.import_module(f"bootstrap.commands.{name}"))
        except ModuleNotFoundError as exc:
            if exc.name != f"bootstrap.commands.{name}":
                raise
    return found
