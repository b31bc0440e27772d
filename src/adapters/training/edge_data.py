"""Market periods for the edge report's walk-forward, read into 1m klines per symbol.

A period is one or more 1m kline files that cover the same stretch of time. Where two files of a period
hold the same (symbol, minute), the first file listed wins. Without --data, the periods and their files are
named in config (config/report/edge-periods.yaml: the regimes of ../shared/data), never in code. Periods are
listed oldest first; the edge report tests on every period after the first, training only on the ones
before it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from adapters.history.schema import HistoryDataError
from adapters.research.lab_data import COLUMNS, load_lab_data
from domain.features import KlineArrays
from domain.time_units import DAY_MS


@dataclass(frozen=True)
class EdgePeriod:
    name: str
    files: tuple[str, ...]  # relative to the data root
    description: str = ""


@dataclass(frozen=True)
class EdgePeriods:
    """A periods file: the data root its files are relative to, every period, and the --quick ones."""

    root: Path
    periods: tuple[EdgePeriod, ...]
    quick: tuple[EdgePeriod, ...]


def load_edge_periods(path: Path) -> EdgePeriods:
    """The periods file `path` (ValueError in one line naming the file and what is wrong)."""
    try:
        raw: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
        periods = tuple(EdgePeriod(str(p["name"]), tuple(str(f) for f in p["files"]),
                                   str(p.get("description", ""))) for p in raw["periods"])
        by_name = {p.name: p for p in periods}
        quick = tuple(by_name[str(name)] for name in raw.get("quick", []))
        root = Path(str(raw.get("root", ".")))
    except OSError as exc:
        raise ValueError(f"{path}: cannot read the periods file: {exc.strerror or exc}") from None
    except (yaml.YAMLError, KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"{path}: not a periods file (root, periods: [{{name, files, description}}], "
                         f"quick: [names]): {type(exc).__name__} {' '.join(str(exc).split())}") from None
    if not periods or any(not p.files for p in periods):
        raise ValueError(f"{path}: no periods, or a period without files")
    return EdgePeriods(root, periods, quick)


def periods_from_files(paths: Sequence[Path]) -> tuple[EdgePeriod, ...]:
    """One period per file given with --data, ordered by the first open time in its name or content."""
    return tuple(EdgePeriod(path.name.split(".")[0], (str(path),), str(path)) for path in paths)


def load_period(root: Path, period: EdgePeriod, *, symbols: Iterable[str] | None = None,
                max_days: float | None = None) -> dict[str, KlineArrays]:
    """1m klines per symbol of one period (`max_days`: keep only each symbol's first days, quick runs).
    Read as the lab reads data (adapters/research/lab_data: the columnar reader, each symbol's arrays
    made as it is read, a column a file lacks shared): the 96-pair file without pandas' ~1.4 GB peak."""
    paths = []
    for name in period.files:
        path = Path(name) if Path(name).is_absolute() else root / name
        if not path.exists():
            raise HistoryDataError(f"{path}: missing data file of period {period.name}")
        paths.append(path)
    klines = load_lab_data(paths, symbols=symbols).klines
    if max_days is None:
        return klines
    return {s: _first_days(k, max_days) for s, k in klines.items()}


def _first_days(k: KlineArrays, days: float) -> KlineArrays:
    end = int(np.searchsorted(k.open_time_ms, k.open_time_ms[0] + days * DAY_MS))
    return KlineArrays(*(np.array(getattr(k, c)[:end]) for c in COLUMNS))
