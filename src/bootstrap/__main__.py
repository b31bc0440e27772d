"""`python -m bootstrap <command>`: backtest, paper, live and the utility commands.

Global options (--config, --log-level) are accepted before or after the command, as freqtrade users type
them. Ctrl-C anywhere ends with one line and exit code 130, no traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from bootstrap.cli_help import add_global_options, decorate_subcommands, program_version
from bootstrap.commands import COMMAND_MODULES, command_modules
from bootstrap.logging import configure_logging
from bootstrap.settings import SettingsError, load_settings
from ports.errors import ConfigurationError

EXIT_CONFIG_ERROR = 2
EXIT_INTERRUPTED = 130  # the shell's convention for SIGINT

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
        epilog="examples:\n  python -m bootstrap backtest\n"
               "  python -m bootstrap backtest --config my.yaml --data data/sample\n"
               "  python -m bootstrap COMMAND --help",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {program_version()}")
    add_global_options(parser, default=None)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    modules = command_modules(only)
    for module in modules:
        module.add_parser(subparsers)
    decorate_subcommands(subparsers, modules)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        return _main(argv)
    except KeyboardInterrupt as interrupt:  # anywhere: set-up, loading, replay, report writing
        detail = str(interrupt)
        print(f"interrupted (Ctrl-C){': ' + detail if detail else ''}", file=sys.stderr)
        return EXIT_INTERRUPTED


def _main(argv: list[str]) -> int:
    args = build_parser(requested_command(argv)).parse_args(argv)
    overrides = {"logging": {"level": args.log_level}} if args.log_level else None
    try:
        settings = load_settings(args.config, overrides=overrides)
    except SettingsError as error:
        print(error, file=sys.stderr)
        return EXIT_CONFIG_ERROR
    try:
        configure_logging(settings.logging)
        exit_code: int = args.run(args, settings)
    except ConfigurationError as error:  # raised before trading starts (a missing model, adapter, key)
        print(f"config error: {error}", file=sys.stderr)
        return EXIT_CONFIG_ERROR
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
