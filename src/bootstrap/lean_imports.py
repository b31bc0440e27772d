"""Keep the long-running commands lean: TA-Lib without pandas.

TA-Lib's package imports pandas (and with it pyarrow) whenever it is installed, only so that its
functions accept pandas Series; the bot hands it numpy arrays. In paper and live, processes meant to run
for weeks on a small machine, that is ~67 MB of resident memory for nothing (measured: 158 -> 91 MiB
after the paper command's imports). So for those commands talib is imported first with pandas and
polars hidden from it; both stay importable for any code that wants them later.
"""

from __future__ import annotations

import importlib
import sys

LEAN_COMMANDS = frozenset({"paper", "live"})
_HIDDEN_FROM_TALIB = ("pandas", "polars")


def import_talib_without_dataframes() -> None:
    """Import talib so that it finds neither pandas nor polars. No effect once talib or one of them is
    loaded (a loaded module is never hidden or unloaded)."""
    if "talib" in sys.modules or any(name in sys.modules for name in _HIDDEN_FROM_TALIB):
        return
    for name in _HIDDEN_FROM_TALIB:
        sys.modules[name] = None  # type: ignore[assignment]  # importing it raises ModuleNotFoundError
    try:
        importlib.import_module("talib")
    finally:
        for name in _HIDDEN_FROM_TALIB:
            if sys.modules.get(name, 0) is None:
                del sys.modules[name]
