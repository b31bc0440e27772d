"""`research --spec config/research/edge-preset.yaml`: today's `report edge` as one preset of the lab.

The same walk-forward (application/research/walk_forward.py: per test period the exit policy and the EV
gate chosen on validation, deciles, random entries and the scanner rule as baselines, cheaper-execution
rows), the same costs (the settings' execution.*), the same tables; but the periods come from the data's
own time (or the YAML's boundaries), not from file names, and the EV gate's trades and the top decile
carry their trust figures. Writes edge.md, edge.json and edge.html into <lab-dir>/<name>/.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from adapters.history.schema import HistoryDataError
from adapters.process_heap import map_large_blocks
from adapters.training.edge_learner import LightGbmEdgeLearner
from adapters.training.edge_report import markdown, write_edge_report
from adapters.training.lightgbm_trainer import BoosterParams
from application.research.edge_preset_trust import edge_trust, trust_lines
from application.research.market_periods import PeriodPlan
from application.research.period_bars import PeriodBars, build_period_bars
from application.research.period_source import PeriodSource
from application.research.report_payload import report_payload
from application.research.report_text import intro_lines, report_tables
from application.research.walk_forward import NamedPolicy
from application.research.walk_forward_streamed import evaluate_edge_streamed
from bootstrap import lab_data_wiring as wiring
from bootstrap.lab_spec import LabSpec
from bootstrap.mapping import exit_rules_from, scanner_rules_from
from bootstrap.research_wiring import edge_config, policy_name
from bootstrap.settings_model import Settings
from domain.features import KlineArrays
from domain.outcome import ExitRules

EXIT_NO_DATA = 3
COLUMNS = ("open_time_ms", "open", "high", "low", "close", "volume", "taker_buy_base_volume", "quote_volume",
           "trades")

Built = TypeVar("Built")


def preset_policies(spec: LabSpec, settings: Settings) -> tuple[NamedPolicy, ...]:
    rules = []
    for given in spec.edge.policies:
        if given == "settings":
            rules.append(exit_rules_from(settings))
        else:
            tp, sl, minutes, *trail = [float(v) for v in given]
            rules.append(ExitRules(tp / 100, sl / 100, int(minutes), trail[0] / 100 if trail else None,
                                   trail[1] / 100 if len(trail) > 1 else 0.0))
    return tuple(NamedPolicy(policy_name(r), r) for r in dict.fromkeys(rules))


def _sliced(klines: dict[str, KlineArrays], plan: PeriodPlan) -> dict[str, KlineArrays]:
    """The plan's klines of each symbol: views when the symbol's times are sorted (no copy)."""
    out = {}
    for symbol, k in klines.items():
        times = k.open_time_ms
        if len(times) < 2 or bool(np.all(times[1:] > times[:-1])):
            a, b = np.searchsorted(times, [plan.start_ms, plan.end_ms])
            part = slice(int(a), int(b))
            if b > a:
                out[symbol] = KlineArrays(*(getattr(k, c)[part] for c in COLUMNS))
            continue
        keep = (times >= plan.start_ms) & (times < plan.end_ms)
        if keep.any():
            out[symbol] = KlineArrays(*(getattr(k, c)[keep] for c in COLUMNS))
    return out


def preset_sources(spec: LabSpec, paths: list[Path], settings: Settings) -> list[PeriodSource]:
    """One PeriodSource per planned period, built from that period's klines alone (as `report edge`);
    its bars are built a symbol at a time when the walk-forward reads them."""
    return _per_period(spec, paths, settings, PeriodSource)


def preset_bars(spec: LabSpec, paths: list[Path], settings: Settings) -> list[PeriodBars]:
    """Every period's bars built whole (what the streamed walk-forward avoids; tests compare the two)."""
    return _per_period(spec, paths, settings, build_period_bars)


def _per_period(spec: LabSpec, paths: list[Path], settings: Settings,
                build: Callable[[str, Any, Any], Built]) -> list[Built]:
    """`build(name, klines, scanner rules)` for each planned period; a period it refuses is left out, said."""
    data = wiring.load_data(spec, paths)
    rules, out = scanner_rules_from(settings), []
    for plan in wiring.plans_of(spec, data):
        try:
            out.append(build(plan.name, _sliced(data.klines, plan), rules))
        except ValueError as exc:
            print(f"research: period {plan.name} left out: {exc}", file=sys.stderr)
    return out


def run_edge_preset(args: argparse.Namespace, spec: LabSpec, paths: list[Path], settings: Settings) -> int:
    began = time.perf_counter()
    map_large_blocks()  # freed feature blocks go back to the OS: the walk-forward allocates them per symbol
    try:
        bars = preset_sources(spec, paths, settings)
    except (HistoryDataError, ValueError, OSError) as exc:
        print(f"research: cannot read the market data: {exc}", file=sys.stderr)
        return EXIT_NO_DATA
    if len(bars) < 2:
        print(f"research: {len(bars)} usable period(s); the edge preset needs two or more", file=sys.stderr)
        return EXIT_NO_DATA
    base = edge_config(settings, quick=False, max_train_rows=spec.edge.max_train_rows)
    config = dataclasses.replace(base, policies=preset_policies(spec, settings),
                                 min_trades=spec.edge.min_trades,
                                 validation_fraction=spec.edge.validation_fraction)
    learner = LightGbmEdgeLearner(BoosterParams(**spec.edge.lightgbm))

    def progress(message: str) -> None:
        if not args.no_progress:
            print(f"[{time.perf_counter() - began:5.0f}s] {message}", file=sys.stderr)

    report = evaluate_edge_streamed(bars, learner, config, progress)
    report.seconds = time.perf_counter() - began
    periods = [f"{b.name} ({len(b):,} bars, {len(b.symbols)} pairs)" for b in bars]
    del bars  # the klines: the trust figures need only the folds' trades
    trust = edge_trust(report, seed=settings.execution.seed)
    meta: dict[str, Any] = {"command": f"python -m bootstrap research --spec {args.spec}",
                            "seconds": report.seconds, "periods": periods}
    tables = report_tables(report, None, None)
    intro = [*intro_lines(report, meta), *trust_lines(trust)]
    payload = report_payload(report, None, None, meta) | {"trust": _plain(trust)}
    paths_written = write_edge_report(wiring.study_folder(args.lab_dir, spec), intro, tables, payload)
    print(report.verdict())
    print("\n".join(trust_lines(trust)))
    print(markdown("", [], tables[:1]))
    print(f"edge preset in {report.seconds:.0f}s: {paths_written['md']}")
    return 0


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, float | np.floating):
        return None if not np.isfinite(value) else round(float(value), 6)
    return value
