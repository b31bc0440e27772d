"""A lab study declared in YAML (config/research/*.yaml): what data periods, walk-forward, costs, search
space and verdict thresholds to use. Every section is optional; unknown keys are refused by name.

The search space maps a TrialParams key to a list (categorical), a {low, high[, log][, step]} range
(int when low and high are both integers, float otherwise), or one value (fixed).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

from application.research.trial_params import trial_params
from application.research.trial_walk_forward import WalkForward
from domain.lab_gate import GateThresholds
from domain.statistics.break_even import BINANCE_SPOT_TIERS, FeeTier
from domain.statistics.regimes import RegimeRules
from domain.time_units import day_start_ms

Domain = list[Any] | dict[str, Any] | Any


@dataclass(frozen=True)
class DataPlan:
    gap_hours: float = 24.0
    max_days: float | None = 14.0
    boundaries: tuple[str, ...] = ()  # UTC days that cut a stretch (instead of max_days)
    max_days_per_file: float | None = None  # keep only the first N days of the data (quick runs)
    universes: dict[str, list[str] | None] = field(default_factory=lambda: {"all": None})
    quote_asset: str | list[str] | None = None  # keep only pairs of this quote asset (or these): USDC, FDUSD

    @property
    def quotes(self) -> tuple[str, ...]:
        given = self.quote_asset
        return () if not given else tuple(q.upper() for q in ([given] if isinstance(given, str) else given))

    @property
    def boundaries_ms(self) -> tuple[int, ...]:
        return tuple(day_start_ms(d) for d in self.boundaries)


@dataclass(frozen=True)
class SearchPlan:
    trials: int = 50
    seed: int = 7
    min_trades: int = 30  # fewer trades over the test periods: the trial is pruned
    finalists: int = 5
    startup_trials: int = 5  # the median pruner waits for this many complete trials
    heartbeat_seconds: int = 30  # a trial silent for 2x this is stale: failed and retried on restart


@dataclass(frozen=True)
class EdgePreset:
    """`report edge` as a preset: exit policies ("settings" = the settings' own, or [TP %, SL %, minutes
    (, trailing activation %, distance %)]), the LightGBM parameters and the walk-forward's sizes."""

    policies: tuple[Any, ...] = ("settings",)
    lightgbm: dict[str, Any] = field(default_factory=dict)
    max_train_rows: int = 300_000
    min_trades: int = 30
    validation_fraction: float = 0.2


@dataclass(frozen=True)
class LabSpec:
    name: str
    data: DataPlan
    walk_forward: WalkForward
    search: SearchPlan
    slippage_pct: float
    tiers: tuple[FeeTier, ...]
    thresholds: GateThresholds
    space: dict[str, Domain]
    preset: str | None = None  # "edge": run `report edge` as declared in `edge`
    edge: EdgePreset = EdgePreset()
    symbol_fees: dict[str, FeeTier] = field(default_factory=dict)  # symbol -> its own [maker %, taker %]
    regimes: RegimeRules = field(default_factory=RegimeRules)  # market states of the per-regime figures


def _section(raw: Mapping[str, Any], key: str, kind: type[Any], where: str) -> Any:
    values = raw.get(key) or {}
    if not isinstance(values, Mapping):
        raise ValueError(f"{where}: `{key}` must be a mapping")
    known = {f.name for f in fields(kind)}
    unknown = set(values) - known
    if unknown:
        raise ValueError(f"{where}: unknown key {key}.{sorted(unknown)[0]} "
                         f"(known: {', '.join(sorted(known))})")
    converted = {k: tuple(v) if isinstance(v, list) and k in ("boundaries", "policies") else v
                 for k, v in values.items()}
    return kind(**converted)


def _rates(given: Mapping[str, Any], key: str, where: str) -> dict[str, FeeTier]:
    try:
        return {str(name): FeeTier(str(name), float(v[0]), float(v[1])) for name, v in given.items()}
    except (TypeError, ValueError, IndexError, AttributeError):
        raise ValueError(f"{where}: costs.{key} must map a name to [maker %, taker %]") from None


def _tiers(raw: Mapping[str, Any], where: str) -> tuple[FeeTier, ...]:
    given = raw.get("fee_tiers")
    if not given:
        return BINANCE_SPOT_TIERS
    return tuple(_rates(given, "fee_tiers", where).values())


def _fee_costs(costs: Mapping[str, Any], spec_path: Path) -> Mapping[str, Any]:
    """`costs` with its `fee_table` file (config/fees/*.yaml: fee_tiers, symbol_fees) underneath: the
    spec's own tiers replace the file's, its symbols are added to the file's (and win). The path is
    relative to the spec's folder."""
    table = costs.get("fee_table")
    if not table:
        return costs
    path = spec_path.parent / str(table)
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ValueError(f"{spec_path}: costs.fee_table: cannot read {path}: {exc}") from None
    if not isinstance(loaded, Mapping) or set(loaded) - {"fee_tiers", "symbol_fees"}:
        raise ValueError(f"{path}: a fee table holds only fee_tiers and symbol_fees")
    merged = {**loaded, **{k: v for k, v in costs.items() if k != "fee_table"}}
    merged["symbol_fees"] = {**(loaded.get("symbol_fees") or {}), **(costs.get("symbol_fees") or {})}
    return merged


def _check_space(space: Mapping[str, Domain], where: str) -> None:
    corners: dict[str, Any] = {}
    for key, domain in space.items():
        if isinstance(domain, list):
            if not domain:
                raise ValueError(f"{where}: space.{key} is an empty list")
            corners[key] = domain[0]
        elif isinstance(domain, Mapping):
            if not {"low", "high"} <= set(domain) or domain["low"] > domain["high"]:
                raise ValueError(f"{where}: space.{key} needs low <= high")
            corners[key] = domain["low"]
        else:
            corners[key] = domain
    try:
        trial_params({k: v for k, v in corners.items() if k != "hold_minutes"})
        # every choice of a list too (beside the other keys' first: bars and holds checked together above)
        base = {k: v for k, v in corners.items() if k not in ("hold_minutes", "interval_minutes")}
        for key, domain in space.items():
            if isinstance(domain, list) and key in base:
                for choice in domain[1:]:
                    trial_params({**base, key: choice})
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None


def _regimes(raw: Mapping[str, Any], where: str) -> RegimeRules:
    rules = _section(raw, "regimes", RegimeRules, where)
    try:
        window, band = int(rules.window_minutes), float(rules.drift_band_pct)
        baseline = int(rules.baseline_minutes)
    except (TypeError, ValueError):
        raise ValueError(f"{where}: regimes.window_minutes and baseline_minutes must be whole minutes, "
                         "drift_band_pct a number") from None
    if not 0 < window < baseline or band < 0:
        raise ValueError(f"{where}: regimes need 0 < window_minutes ({window}) < baseline_minutes "
                         f"({baseline}) and drift_band_pct >= 0 ({band})")
    return RegimeRules(window, band, baseline)


def load_spec(path: Path) -> LabSpec:
    """The study declared in `path`; ValueError (naming the file and the key) when it is not valid."""
    where = str(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ValueError(f"{where}: cannot read the study: {exc}") from None
    if not isinstance(raw, Mapping):
        raise ValueError(f"{where}: expected a mapping at the top")
    allowed = {"name", "data", "walk_forward", "search", "costs", "thresholds", "space", "preset", "edge",
               "regimes"}
    extra = set(raw) - allowed
    if extra:
        raise ValueError(f"{where}: unknown section {sorted(extra)[0]!r} "
                         f"(known: {', '.join(sorted(allowed))})")
    costs = _fee_costs(raw.get("costs") or {}, path)
    unknown = set(costs) - {"slippage_pct", "fee_tiers", "symbol_fees"}
    if unknown:
        raise ValueError(f"{where}: unknown key costs.{sorted(unknown)[0]} "
                         "(known: fee_table, fee_tiers, slippage_pct, symbol_fees)")
    own = {symbol: FeeTier(symbol, r.maker_pct, r.taker_pct)
           for name, r in _rates(costs.get("symbol_fees") or {}, "symbol_fees", where).items()
           for symbol in ["".join(c for c in name.upper() if c not in "/-_ ")]}
    space = dict(raw.get("space") or {})
    _check_space(space, where)
    return LabSpec(
        name=str(raw.get("name") or path.stem), data=_section(raw, "data", DataPlan, where),
        walk_forward=_section(raw, "walk_forward", WalkForward, where),
        search=_section(raw, "search", SearchPlan, where),
        slippage_pct=float(costs.get("slippage_pct", 0.02)), tiers=_tiers(costs, where),
        thresholds=_section(raw, "thresholds", GateThresholds, where), space=space,
        preset=raw.get("preset"), edge=_section(raw, "edge", EdgePreset, where), symbol_fees=own,
        regimes=_regimes(raw, where))
