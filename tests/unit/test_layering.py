"""The one rule of the architecture: inner layers never import outer ones or I/O libraries.

Walks every module under src/ with `ast` (nothing is imported or executed) and checks each import
against its layer's rule. The checker is itself tested on small made-up sources, so it can fail.
"""

from __future__ import annotations

import ast
import warnings
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"

# Pure standard-library modules the domain may use: no I/O, no clock, no threads, no event loop.
DOMAIN_STDLIB = {
    "__future__", "abc", "bisect", "collections", "copy", "dataclasses", "datetime", "decimal", "enum",
    "fractions", "functools", "heapq", "itertools", "math", "numbers", "operator", "re", "statistics",
    "string", "types", "typing", "typing_extensions",
}
# scipy: its special functions (the t distribution) are pure maths, needed by domain/statistics.
DOMAIN_THIRD_PARTY = {"numpy", "talib", "scipy"}
DOMAIN_CLOCK_CALLS = {"now", "utcnow", "today", "time", "time_ns", "monotonic", "perf_counter"}
APPLICATION_FORBIDDEN = {"adapters", "bootstrap", "aiohttp", "binance", "onnxruntime", "lightgbm", "skl2onnx",
                         "onnxmltools", "pyarrow", "requests", "websockets", "socket", "sqlite3", "urllib",
                         "http", "pydantic", "dependency_injector", "tqdm", "yarl"}  # progress: a callable
PANDAS_IO = {"read_csv", "read_parquet", "read_json", "read_feather", "read_pickle", "read_sql",
             "to_csv", "to_parquet", "to_json", "to_feather", "to_pickle", "to_sql"}
PORTS_FORBIDDEN = {"adapters", "bootstrap", "application", "aiohttp", "binance", "onnxruntime", "lightgbm",
                   "pandas", "pydantic", "loguru"}
# Vendor libraries confined to one folder (docs/ARCHITECTURE.md, "Layers"): I/O libraries to adapters.
VENDOR_HOME = {"binance": "adapters/binance/", "onnxruntime": "adapters/onnx/",
               "lightgbm": "adapters/training/", "skl2onnx": "adapters/training/",
               "onnxmltools": "adapters/training/", "aiohttp": "adapters/", "pandas": "adapters/",
               "msgspec": "adapters/", "pyarrow": "adapters/", "plotly": "adapters/",
               # compiled kernels sit behind domain Protocols (domain/scanner_kernel.py): the domain
               # keeps its numpy reference and never pays numba's import and compile time
               "numba": "adapters/kernels/", "llvmlite": "adapters/kernels/",
               "apprise": "adapters/console/", "prometheus_client": "adapters/console/",
               "telegram": "adapters/console/", "optuna": "adapters/research/",
               "ray": "adapters/research/", "statsmodels": "adapters/",
               "sqlalchemy": "adapters/research/", "psycopg": "adapters/research/"}
# The wings (docs/ARCHITECTURE.md): trading never imports backtest or research; backtest never research.
WING_OF = {"application.backtest": "backtest", "application.research": "research"}
WING_MAY_NOT_IMPORT = {"trading": {"backtest", "research"}, "backtest": {"research"}, "research": set()}


def wing(module: str) -> str:
    """The wing a module of application/ belongs to: backtest, research, or the trading core."""
    for prefix, name in WING_OF.items():
        if module == prefix or module.startswith(prefix + "."):
            return name
    return "trading"


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(tree: ast.AST, module: str, is_package: bool) -> list[tuple[str, int]]:
    """Absolute names of every module imported (relative imports resolved), with their line."""
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            # `from pkg import sub` may import a module: record pkg.sub too (a top-level pkg when empty).
            found.extend((f"{name}.{alias.name}" if name else alias.name, node.lineno)
                         for alias in node.names)
            if name:
                found.append((name, node.lineno))
    return found


def violations_in(source: str, relative: str) -> list[str]:
    """Every broken rule in one module, given its source and its path relative to src/."""
    path = Path(relative)
    module = module_name(path, Path())
    layer = path.parts[0]
    with warnings.catch_warnings():  # an odd escape in someone's string is not a layering matter
        warnings.simplefilter("ignore", SyntaxWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        tree = ast.parse(source)
    problems: list[str] = []
    for name, line in imported_modules(tree, module, path.name == "__init__.py"):
        top = name.split(".")[0]
        where = f"{relative}:{line} imports {name}"
        home = VENDOR_HOME.get(top)
        if home is not None and not relative.startswith(home):
            problems.append(f"{where}: {top} belongs in {home} only")
        if layer == "domain" and top not in DOMAIN_STDLIB | DOMAIN_THIRD_PARTY | {"domain"}:
            problems.append(f"{where}: the domain is pure (stdlib math, numpy, talib, domain only)")
        elif layer == "application" and top in APPLICATION_FORBIDDEN:
            problems.append(f"{where}: use cases go through ports")
        elif layer == "ports" and top in PORTS_FORBIDDEN:
            problems.append(f"{where}: ports are Protocols in domain types")
        elif layer == "adapters" and top in {"bootstrap", "application"}:
            problems.append(f"{where}: adapters do not depend on wiring or use cases")
        if layer == "application" and top == "application" and \
                wing(name) in WING_MAY_NOT_IMPORT[wing(module)]:
            problems.append(f"{where}: the {wing(module)} wing never imports the {wing(name)} wing")
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if layer == "domain" and node.func.attr in DOMAIN_CLOCK_CALLS:
            problems.append(f"{relative}:{node.lineno} calls .{node.func.attr}(): time is an argument")
        if layer == "application" and node.func.attr in PANDAS_IO:
            problems.append(f"{relative}:{node.lineno} calls .{node.func.attr}(): files are adapters' work")
    return problems


def source_files() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if "__pycache__" not in p.parts)


def test_every_layer_keeps_to_its_imports() -> None:
    problems = [problem for path in source_files() for problem in
                violations_in(path.read_text(encoding="utf-8"), path.relative_to(SRC).as_posix())]
    assert problems == [], "\n".join(problems)


def test_the_import_graph_has_no_cycle() -> None:
    """Modules of src/ as nodes, their top-level imports of each other as edges: no cycle (imports made
    only for type checking count too: a cycle there is still two modules that need each other)."""
    modules = {module_name(p, SRC): p for p in source_files()}
    graph = {name: {imported for imported, _ in imported_modules(
        ast.parse(path.read_text(encoding="utf-8")), name, path.name == "__init__.py")
        if imported in modules and imported != name and modules[imported].name != "__init__.py"}
        for name, path in modules.items()}
    assert find_cycle(graph) is None, f"import cycle: {' -> '.join(find_cycle(graph) or [])}"


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of `graph` as a path that ends where it starts, or None (iterative three-colour DFS)."""
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    for root in graph:
        if root in state:
            continue
        path, stack = [root], [iter(sorted(graph[root]))]
        state[root] = 1
        while stack:
            step = next(stack[-1], None)
            if step is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(step) == 1:
                return [*path[path.index(step):], step]
            elif step not in state:
                state[step] = 1
                path.append(step)
                stack.append(iter(sorted(graph.get(step, ()))))
    return None


def test_the_cycle_finder_can_fail() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_the_walk_sees_the_layers() -> None:
    layers = {p.relative_to(SRC).parts[0] for p in source_files()}
    assert {"domain", "ports", "application", "adapters", "bootstrap"} <= layers


# -- the checker can fail -------------------------------------------------------------------------------
@pytest.mark.parametrize(("relative", "source"), [
    ("domain/x.py", "import adapters.clocks"),
    ("domain/x.py", "from bootstrap.settings import load_settings"),
    ("domain/x.py", "from ports.clock import Clock"),
    ("domain/x.py", "import asyncio"),
    ("domain/x.py", "import pandas as pd"),
    ("domain/x.py", "from loguru import logger"),
    ("domain/x.py", "import pydantic"),
    ("domain/x.py", "import os"),
    ("domain/x.py", "from datetime import datetime\nstamp = datetime.now()"),
    ("domain/sub/x.py", "from ...adapters import clocks"),
    ("application/x.py", "from adapters.storage.trade_journal import CsvJsonTradeJournal"),
    ("application/x.py", "from bootstrap.container import build_container"),
    ("application/x.py", "import aiohttp"),
    ("application/x.py", "from binance.spot import Spot"),
    ("application/x.py", "import onnxruntime"),
    ("application/x.py", "import lightgbm"),
    ("application/x.py", "import pandas as pd\nframe = pd.read_parquet('x')"),
    ("application/x.py", "from .. import adapters"),
    ("ports/x.py", "from adapters.clocks import SystemClock"),
    ("ports/x.py", "import bootstrap"),
    ("adapters/simulated/x.py", "import binance"),
    ("adapters/x.py", "from bootstrap.settings_model import Settings"),
    ("bootstrap/x.py", "import aiohttp"),
    ("bootstrap/commands/x.py", "from aiohttp import web"),
    ("application/x.py", "import pandas as pd"),
    ("bootstrap/x.py", "import msgspec"),
    ("adapters/binance/x.py", "import onnxruntime"),
    ("domain/x.py", "from numba import njit"),
    ("adapters/binance/x.py", "import numba"),
    ("application/trading_loop.py", "from application.backtest.replay import Backtest"),
    ("application/enter_trades.py", "from application.research.walk_forward import EdgeReport"),
    ("application/backtest/x.py", "from application.research.period_bars import PeriodBars"),
    ("application/backtest/x.py", "from ..research import folds"),
    ("application/console_state.py", "from prometheus_client import Counter"),
    ("bootstrap/x.py", "import apprise"),
    ("adapters/binance/x.py", "from telegram.ext import Application"),
    ("application/research/x.py", "import optuna"),
    ("bootstrap/commands/x.py", "import ray"),
    ("domain/x.py", "import plotly.graph_objects as go"),
    ("domain/x.py", "import statsmodels.api"),
])
def test_the_checker_catches_a_violation(relative: str, source: str) -> None:
    assert violations_in(source, relative) != []


@pytest.mark.parametrize(("relative", "source"), [
    ("domain/x.py", "from __future__ import annotations\nimport math\nimport numpy as np\nimport talib"),
    ("domain/x.py", "from domain.values import Candle\nfrom .rules import SymbolRules"),
    ("application/x.py", "from ports.exchange import Exchange\nfrom domain.risk import RiskBook\n"
                         "from loguru import logger\nimport asyncio"),
    ("ports/x.py", "from typing import Protocol\nfrom domain.orders import OrderRequest"),
    ("adapters/binance/x.py", "import binance\nimport aiohttp"),
    ("adapters/training/x.py", "import lightgbm\nimport skl2onnx"),
    ("adapters/onnx/model.py", "import onnxruntime"),
    ("adapters/kernels/x.py", "from numba import njit"),
    ("adapters/history/x.py", "import pandas as pd\nimport pyarrow\nimport aiohttp"),
    ("application/research/x.py", "from application.backtest.bar_scanner import bar_scores\n"
                                  "from application.trading_config import LoopConfig"),
    ("application/backtest/x.py", "from application.trading_loop import TradingLoop"),
    ("bootstrap/x.py", "from adapters.clocks import SystemClock\nfrom application import report_stats"),
    ("adapters/console/x.py", "import apprise\nimport prometheus_client\nfrom telegram import Update"),
    ("adapters/research/x.py", "import optuna\nimport ray\nimport plotly"),
    ("domain/statistics/x.py", "from scipy import stats"),
])
def test_the_checker_allows_what_the_layers_may_use(relative: str, source: str) -> None:
    assert violations_in(source, relative) == []
