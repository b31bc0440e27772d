"""The edge walk-forward (walk_forward.py) streamed: the same folds, fits, gates and rows, without ever
holding a period's feature matrix, nor any period's trade outcomes beyond the fold that reads them.

Per fold, one symbol at a time: the earlier periods' features and every policy's outcomes are computed,
and only the rows the fold trains on are kept (the same rows, in the same order, as folds.gather); once
every policy's booster is fitted, a second pass scores the calibration and selection rows (validation
halves A and B) with each (walk_forward_fits.py). Then the test period is scored symbol by symbol (model
score, net, ATR%, scanner view) and its cheaper-execution outcomes priced in a last pass without
features. Figures equal evaluate_edge's on the same periods
(tests/unit/application/research/test_walk_forward_streamed.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from loguru import logger

from application.research.folds import FoldBounds, fold_bounds, part_masks
from application.research.period_bars import ATR_PCT
from application.research.period_rows import EdgeRow
from application.research.period_source import PeriodSource
from application.research.scanner_top import ScannerTop
from application.research.walk_forward import (
    Costs,
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
from application.research.walk_forward_fits import fit_policies
from application.research.walk_forward_trades import symbol_code_type
from domain.ev_gate import fit_gate, trade_stats
from ports.training import EdgeModel, StagedEdgeLearner

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class TestRows:
    """The test period's rows with what the edge rows read (no features, no per-row scanner view)."""
    time_ms: Ints
    net: Floats
    score: Floats
    symbol: npt.NDArray[np.signedinteger]  # code into `symbols` (2 bytes: the trust figures' fee table)
    aucs: tuple[float | None, float | None]  # walk_forward.test_aucs, taken while little else is held
    scanner: Bools  # the scanner rule's entries (scanner_top.ScannerTop)
    symbols: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.time_ms)


_TEST_COLUMNS: dict[str, type[np.generic]] = {"time_ms": np.int64, "net": np.float64, "score": np.float64,
                                              "atr_pct": np.float32}


def _test_rows(test: PeriodSource, policy: NamedPolicy, model: EdgeModel, costs: Costs) -> TestRows:
    scanner = ScannerTop(np.unique(np.concatenate([k.open_time_ms for k in test.klines.values()])))
    # each column written in place as its symbol is scored (a list of parts joined would be two copies);
    # sized by the klines, a little more than the rows (a symbol's warm-up bars are not rows)
    size = sum(len(test.klines[symbol]) for symbol in test.symbols)
    columns = {key: np.empty(size, dtype=dtype) for key, dtype in _TEST_COLUMNS.items()}
    columns["symbol"] = np.empty(size, dtype=symbol_code_type(len(test.symbols)))
    at = 0
    for code in range(len(test.symbols)):
        bars = test.symbol_bars(code)
        scanner.add(bars.time_ms, bars.scan_score, bars.scan_alert)
        rows = slice(at, at + len(bars))
        columns["time_ms"][rows] = bars.time_ms
        columns["symbol"][rows] = code
        columns["net"][rows] = bars.outcomes(policy.rules, costs).net_return_pct
        columns["score"][rows] = model.score(bars.features)
        columns["atr_pct"][rows] = bars.features[:, ATR_PCT]
        at += len(bars)
        del bars
    filled = {key: column[:at] for key, column in columns.items()}
    aucs = test_aucs(filled["net"], filled["score"], filled.pop("atr_pct"))
    return TestRows(**filled, aucs=aucs, scanner=scanner.entries(), symbols=test.symbols)


def _test_nets(test: PeriodSource, policy: NamedPolicy, costs: Costs, rows: int) -> Floats:
    """The test rows' nets under other costs, written in place (`rows`: the test period's row count)."""
    net, at = np.empty(rows), 0
    for code in range(len(test.symbols)):
        own = test.symbol_prices(code).outcomes(policy.rules, costs).net_return_pct
        net[at: at + len(own)] = own
        at += len(own)
    return net


def _fold(prior: Sequence[PeriodSource], test: PeriodSource, learner: StagedEdgeLearner, config: EdgeConfig,
          progress: Progress) -> FoldResult:
    gap_bars = max(p.rules.timeout_bars for p in config.policies) + 1
    bounds = fold_bounds(prior, test, gap_bars=gap_bars, validation_fraction=config.validation_fraction,
                         max_train_rows=config.max_train_rows)
    fitted = fit_policies(prior, part_masks(bounds), config.policies, config.costs, learner, progress,
                          test.name)
    trials = []
    for fit in fitted:
        score, net, time_ms = fit.selection
        gate = fit_gate(fit.model.expected_net_pct(score), net, time_ms, margin_pct=config.margin_pct,
                        min_trades=config.min_trades)
        top = score >= np.quantile(score, 0.9) if len(score) else np.zeros(0, dtype=np.bool_)
        trials.append(PolicyTrial(fit.policy.name, gate, trade_stats(net[top], time_ms[top])))
        logger.bind(period=test.name, policy=fit.policy.name).info("validation: gate {}", gate.rationale)
    chosen = choose_trial(trials)
    picked = next(fit for fit in fitted if fit.policy.name == chosen.policy)
    del fitted  # the other policies' models and selection rows
    return _score_test(bounds, tuple(trials), picked.policy, picked.model, chosen, test, config)


def _score_test(bounds: FoldBounds, trials: tuple[PolicyTrial, ...], policy: NamedPolicy, model: EdgeModel,
                chosen: PolicyTrial, test: PeriodSource, config: EdgeConfig) -> FoldResult:
    rows = _test_rows(test, policy, model, config.costs)
    expected = model.expected_net_pct(rows.score)
    selected = chosen.gate.select(expected) & np.isfinite(rows.net)

    def variants(masks: dict[str, Bools]) -> list[EdgeRow]:
        return [row for name, costs in config.cost_variants
                for row in variant_rows(name, _test_nets(test, policy, costs, len(rows)), selected, masks,
                                        rows.time_ms, expected)]
    return test_result(bounds, trials, policy, chosen.gate, rows, rows.net, rows.score, expected, selected,
                       rows.aucs, variants, config.seed, rows.scanner)


def evaluate_edge_streamed(sources: Sequence[PeriodSource], learner: StagedEdgeLearner, config: EdgeConfig,
                           progress: Progress | None = None) -> EdgeReport:
    """evaluate_edge over periods kept as klines (oldest first): every period after the first is tested."""
    report_progress = progress or (lambda _message: None)
    require_walkable(len(sources), config)
    return collect_folds([s.name for s in sources], config, lambda k: _fold(
        sources[:k], sources[k], learner, config, report_progress))
