"""The CLI's shared face: global options accepted before or after any command, each command's help with
a description and examples (taken from its module's docstring), and the program's version."""

from __future__ import annotations

import argparse
import tomllib
from collections.abc import Iterable, Iterator
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import Any

LOG_LEVELS = ("TRACE", "DEBUG", "INFO", "SUCCESS", "WARNING", "ERROR", "CRITICAL")
PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def program_version() -> str:
    """The checkout's pyproject.toml version (what you run from a clone), else the installed one."""
    try:
        return str(tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        pass
    try:
        return metadata.version("cryptoscalper")
    except metadata.PackageNotFoundError:
        return "unknown"


def add_global_options(parser: argparse.ArgumentParser, *, default: Any) -> None:
    """--config and --log-level. On a command's parser the default is SUPPRESS, so a value given before
    the command is kept unless the same option is given again after it."""
    parser.add_argument("--config", type=Path, default=default, metavar="FILE",
                        help="YAML file merged over config/default.yaml (before or after the command)")
    parser.add_argument("--log-level", default=default, choices=LOG_LEVELS, metavar="LEVEL",
                        help=f"console and file log level, one of {', '.join(LOG_LEVELS)} "
                             "(default: logging.level in the config)")


def examples(module: ModuleType | Any) -> list[str]:
    """The `python -m bootstrap ...` lines of a command module's docstring (with their continuations)."""
    doc = getattr(module, "__doc__", None) or ""
    if not isinstance(module, ModuleType):
        return []
    out: list[str] = []
    continuing = False
    for line in doc.splitlines():
        text = line.strip()
        if text.startswith("python -m bootstrap") or continuing:
            out.append(("      " if continuing else "  ") + text)
            continuing = text.endswith("\\")
    return out


def _subparser_actions(parser: argparse.ArgumentParser) -> Iterator[argparse._SubParsersAction[Any]]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            yield action


def decorate_subcommands(subparsers: argparse._SubParsersAction[Any], modules: Iterable[Any]) -> None:
    """Every command (and sub-command, e.g. `report edge`): global options, a description, examples."""
    # a command's name is its module's with dashes (reset_kill_switch.py -> reset-kill-switch)
    by_name = {getattr(m, "__name__", "").rsplit(".", 1)[-1].replace("_", "-"): m for m in modules}
    for name, parser in subparsers.choices.items():
        _decorate(parser, subparsers, name, examples(by_name.get(name)))


def _decorate(parser: argparse.ArgumentParser, owner: argparse._SubParsersAction[Any], name: str,
              lines: list[str]) -> None:
    add_global_options(parser, default=argparse.SUPPRESS)
    summary = next((a.help for a in owner._choices_actions if a.dest == name), None)
    if parser.description is None and summary:
        parser.description = summary[0].upper() + summary[1:] + "."
    if parser.epilog is None and lines:
        parser.epilog = "examples:\n" + "\n".join(lines)
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    for nested in _subparser_actions(parser):
        for child_name, child in nested.choices.items():
            _decorate(child, nested, child_name, lines)
