"""`python -m bootstrap <command>`: backtest, paper, live and the utility commands."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from bootstrap.commands import COMMAND_MODULES, command_modules
from bootstrap.logging import configure_logging
from bootstrap.settings import SettingsError, load_settings
from ports.errors import ConfigurationError

EXIT_CONFIG_ERROR = 2


GLOBAL_OPTIONS_WITH_VALUE = ("--config", "--log-level")


def requested_command(argv: Sequence[str]) -> str | None:
    """The command named on the line (skipping global options and their values), if it is a known one."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg in GLOBAL_OPTIONS_WITH_VALUE:
            skip = True
        elif not arg.startswith("-"):
            module = arg.replace("-", "_")  # reset-kill-switch lives in reset_kill_switch.py
            return module if module in COMMAND_MODULES else None
    return None


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bootstrap",
        description="CryptoScalper: AI scalping bot for Binance spot. Backtest first; paper before live.",
    )
    parser.add_argument("--config", type=Path, default=None,
                        help="YAML file merged over config/default.yaml")
    parser.add_argument("--log-level", default=None,
                        choices=["TRACE", "DEBUG", "INFO", "SUCCESS", "WARNING", "ERROR", "CRITICAL"],
                        help="console and file log level (default: logging.level in the config)")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in command_modules(only):
        module.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser(requested_command(argv)).parse_args(argv)
    overrides = {"logging": {"level": args.log_level}} if args.log_level else None
    try:
        settings = load_settings(args.config, overrides=overrides)
    except SettingsError as error:
        print(error, file=sys.stderr)
        return EXIT_CONFIG_ERROR
    configure_logging(settings.logging)
    try:
        exit_code: int = args.run(args, settings)
    except ConfigurationError as error:  # raised before trading starts (a missing model, adapter, key)
        print(f"config error: {error}", file=sys.stderr)
        return EXIT_CONFIG_ERROR
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
