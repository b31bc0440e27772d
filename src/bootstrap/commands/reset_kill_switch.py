"""`reset-kill-switch`: a human clears the latched kill switch, so the next start trades again (issue 14).

    python -m bootstrap reset-kill-switch                 # the mode of trading.mode (paper by default)
    python -m bootstrap reset-kill-switch --mode live     # the live account of the configured keys

Prints one line saying what it did. Exit 0 (also when the switch was not active), 2 for a bad mode.
"""

from __future__ import annotations

import argparse
from typing import Any

from adapters.storage.state_store import SqliteStateStore
from application.kill_switch import reset_kill_switch
from bootstrap.mapping import risk_limits_from, state_path
from bootstrap.settings_model import Settings
from domain.risk import RiskBook


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("reset-kill-switch",
                                   help="clear the latched kill switch (a human decision): trading resumes")
    parser.add_argument("--mode", choices=("paper", "live"), default=None,
                        help="whose state: paper or live (default: trading.mode)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    mode = args.mode or settings.trading.mode
    path = state_path(settings, mode)
    if path is None:
        print(f"reset-kill-switch: {mode} keeps no state (paper or live only)")
        return 2
    if not path.exists():
        print(f"kill switch: no {mode} state at {path}, nothing to reset")
        return 0
    store = SqliteStateStore(path)
    try:
        print(f"{reset_kill_switch(store, RiskBook(risk_limits_from(settings)))} ({mode}, {path})")
    finally:
        store.close()
    return 0
