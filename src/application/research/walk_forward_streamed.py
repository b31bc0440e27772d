"""The edge walk-forward (walk_forward.py) streamed: the same folds, fits, gates and rows, without ever
holding a period's feature matrix, nor any period's trade outcomes beyond the fold that reads them.

Per fold, one symbol at a time: the earlier periods' features and every policy's outcomes are computed,
and only the rows the fold trains and calibrates on are kept (the same rows, in the same order, as
folds.gather); once every policy's model is fitted, a second pass scores the selection rows (validation
half B) with each model. Then the test period is scored symbol by symbol (model score, net, ATR%, scanner
view) and its cheaper-execution outcomes priced in a last pass without features. Figures equal
evaluate_edge's on the same periods (tests/unit/application/research/test_walk_forward_streamed.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from loguru import logger

from application.research.folds import FoldBounds, PartMask, PartRows, fold_bounds, part_masks
from application.research.period_bars import ATR_PCT
from application.research.period_rows import EdgeRow
from application.research.period_source import PeriodSource
from application.research.scanner_top import ScannerTop
from application.research.walk_forward import (
    EdgeConfig,
    EdgeReport,
    FoldResult,
    NamedPolicy,
    PolicyTrial,
    Progress,
    choose_trial,
    collect_folds,
    require_walkable,
    test_aucs,
    test_result,
    variant_rows,
)
from domain.ev_gate import fit_gate, trade_stats
from domain.features import FEATURE_NAMES
from domain.outcome import TradeCosts
from ports.training import EdgeLearner, EdgeModel

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class TestRows:
    """The test period's rows with what the edge rows read (no features, no per-row scanner view)."""
    time_ms: Ints
    net: Floats
    score: Floats
    aucs: tuple[float | None, float | None]  # walk_forward.test_aucs, taken while little else is held
    scanner: Bools  # the scanner rule's entries (scanner_top.ScannerTop)

    def __len__(self) -> int:
        return len(self.time_ms)


def _touches(source: PeriodSource, code: int, masks: Sequence[PartMask]) -> bool:
    times = source.symbol_times(code)
    return any(bool(mask(times).any()) for mask in masks)


@dataclass(frozen=True)
class _Pick:
    """One symbol's rows of a part whose trade is known under the policy."""
    source: PeriodSource
    code: int
    keep: Bools  # over the symbol's rows
    net: Floats  # of the kept rows


def _part_rows(prior: Sequence[PeriodSource], mask: PartMask, policy: NamedPolicy, costs: TradeCosts
               ) -> PartRows:
    """folds.gather for one policy, a symbol at a time: the kept rows are counted from prices alone, then
    their features are written into one array of that size (never a second copy of the part)."""
    picks = []
    for source in prior:
        for code in range(len(source.symbols)):
            chosen = mask(source.symbol_times(code))
            if not chosen.any():
                continue
            net = source.symbol_prices(code).outcomes(policy.rules, costs).net_return_pct
            keep = chosen & np.isfinite(net)
            picks.append(_Pick(source, code, keep, net[keep]))
    features = np.empty((sum(len(p.net) for p in picks), len(FEATURE_NAMES)), dtype=np.float32)
    at = 0
    for pick in picks:
        features[at: at + len(pick.net)] = pick.source.symbol_bars(pick.code).features[pick.keep]
        at += len(pick.net)
    times = [p.source.symbol_times(p.code)[p.keep] for p in picks]
    return PartRows(features, _joined([p.net for p in picks], np.float64), _joined(times, np.int64))


def _selection_scores(prior: Sequence[PeriodSource], mask: PartMask, fitted: Sequence[tuple[NamedPolicy,
                      EdgeModel]], costs: TradeCosts) -> list[tuple[Floats, Floats, Ints]]:
    """Per policy (score, net, time) of the selection rows whose trade is known, scored by its model."""
    parts: list[list[tuple[Floats, Floats, Ints]]] = [[] for _ in fitted]
    for source in prior:
        for code in range(len(source.symbols)):
            if not _touches(source, code, (mask,)):
                continue
            bars = source.symbol_bars(code)
            chosen = mask(bars.time_ms)
            for i, (policy, model) in enumerate(fitted):
                net = bars.outcomes(policy.rules, costs).net_return_pct
                keep = chosen & np.isfinite(net)
                parts[i].append((model.score(bars.features[keep]), net[keep], bars.time_ms[keep]))
    return [(_joined([p[0] for p in own], np.float64), _joined([p[1] for p in own], np.float64),
             _joined([p[2] for p in own], np.int64)) for own in parts]


def _test_rows(test: PeriodSource, policy: NamedPolicy, model: EdgeModel, costs: TradeCosts) -> TestRows:
    scanner = ScannerTop(np.unique(np.concatenate([k.open_time_ms for k in test.klines.values()])))
    columns: dict[str, list[npt.NDArray[Any]]] = {key: [] for key in _TEST_COLUMNS}
    for code in range(len(test.symbols)):
        bars = test.symbol_bars(code)
        scanner.add(bars.time_ms, bars.scan_score, bars.scan_alert)
        net = bars.outcomes(policy.rules, costs).net_return_pct
        for key, value in (("time_ms", bars.time_ms), ("net", net), ("score", model.score(bars.features)),
                           ("atr_pct", np.ascontiguousarray(bars.features[:, ATR_PCT]))):  # own copy
            columns[key].append(value)
    joined = {key: _joined(columns.pop(key), dtype) for key, dtype in _TEST_COLUMNS.items()}  # one copy
    aucs = test_aucs(joined["net"], joined["score"], joined.pop("atr_pct"))
    return TestRows(**joined, aucs=aucs, scanner=scanner.entries())


_TEST_COLUMNS: dict[str, type[np.generic]] = {"time_ms": np.int64, "net": np.float64, "score": np.float64,
                                              "atr_pct": np.float32}


def _test_nets(test: PeriodSource, policy: NamedPolicy, costs: TradeCosts) -> Floats:
    return _joined([test.symbol_prices(code).outcomes(policy.rules, costs).net_return_pct
                    for code in range(len(test.symbols))], np.float64)


def _fold(prior: Sequence[PeriodSource], test: PeriodSource, learner: EdgeLearner, config: EdgeConfig,
          progress: Progress) -> FoldResult:
    gap_bars = max(p.rules.timeout_bars for p in config.policies) + 1
    bounds = fold_bounds(prior, test, gap_bars=gap_bars, validation_fraction=config.validation_fraction,
                         max_train_rows=config.max_train_rows)
    masks = part_masks(bounds)
    fitted = []
    for policy in config.policies:
        train = _part_rows(prior, masks["train"], policy, config.costs)
        cal = _part_rows(prior, masks["calibration"], policy, config.costs)
        progress(f"test {test.name}: {policy.name}: fit on {len(train):,} rows, calibrate on {len(cal):,}")
        fitted.append((policy, learner.fit(train.features, train.win, cal.features, cal.win, cal.net_pct)))
        del train, cal  # one policy's rows at a time
    trials = []
    scored = _selection_scores(prior, masks["selection"], fitted, config.costs)
    for (policy, model), (score, net, time_ms) in zip(fitted, scored, strict=True):
        gate = fit_gate(model.expected_net_pct(score), net, time_ms, margin_pct=config.margin_pct,
                        min_trades=config.min_trades)
        top = score >= np.quantile(score, 0.9) if len(score) else np.zeros(0, dtype=np.bool_)
        trials.append(PolicyTrial(policy.name, gate, trade_stats(net[top], time_ms[top])))
        logger.bind(period=test.name, policy=policy.name).info("validation: gate {}", gate.rationale)
    chosen = choose_trial(trials)
    policy, model = next(pair for pair in fitted if pair[0].name == chosen.policy)
    return _score_test(bounds, tuple(trials), policy, model, chosen, test, config)


def _score_test(bounds: FoldBounds, trials: tuple[PolicyTrial, ...], policy: NamedPolicy, model: EdgeModel,
                chosen: PolicyTrial, test: PeriodSource, config: EdgeConfig) -> FoldResult:
    rows = _test_rows(test, policy, model, config.costs)
    expected = model.expected_net_pct(rows.score)
    selected = chosen.gate.select(expected) & np.isfinite(rows.net)

    def variants(masks: dict[str, Bools]) -> list[EdgeRow]:
        return [row for name, costs in config.cost_variants
                for row in variant_rows(name, _test_nets(test, policy, costs), selected, masks, rows.time_ms,
                                        expected)]
    return test_result(bounds, trials, policy, chosen.gate, rows, rows.net, rows.score, expected, selected,
                       rows.aucs, variants, config.seed, rows.scanner)


def evaluate_edge_streamed(sources: Sequence[PeriodSource], learner: EdgeLearner, config: EdgeConfig,
                           progress: Progress | None = None) -> EdgeReport:
    """evaluate_edge over periods kept as klines (oldest first): every period after the first is tested."""
    report_progress = progress or (lambda _message: None)
    require_walkable(len(sources), config)
    return collect_folds([s.name for s in sources], config, lambda k: _fold(
        sources[:k], sources[k], learner, config, report_progress))


def _joined(parts: Sequence[npt.NDArray[Any]], dtype: type[np.generic]) -> npt.NDArray[Any]:
    return np.concatenate(parts).astype(dtype, copy=False) if parts else np.empty(0, dtype=dtype)
