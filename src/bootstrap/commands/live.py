"""`live`: not available yet."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bootstrap.settings_model import Settings


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("live", help="live mode (not available yet)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    print("live mode is not available yet: its adapters have not landed", file=sys.stderr)
    return 3
