"""Evaluate the edge: walk-forward over market periods, net money per trade out of time, against baselines.

For each test period (application.research.folds): for every candidate exit policy, simulate the trade after
every bar (domain.outcome: next open, SL first, fees, slippage), fit the model on the earlier periods
(label = the trade ends with a positive net return; calibration and the expected-net-return map on
validation half A), fit the EV gate on validation half B, and score the policy there by net PnL minus
drawdown. The best policy with an open gate wins; with none, the gate stays closed (no trade) and the
least bad policy (validation top decile) is still shown. Only then is the test period scored: deciles of
expected value, the gated trades, random entries and the scanner rule alone, all with the same exits and
costs, plus the gated trades and top decile under cheaper execution (cost variants).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from loguru import logger

from application.research.folds import FoldBounds, fold_bounds, gather, part_masks
from application.research.period_bars import PeriodBars
from application.research.period_rows import EdgeRow, period_rows, row_of
from application.research.ranking import auc
from application.research.walk_forward_trades import FoldTrades, SymbolRows, fold_trades
from domain.ev_gate import GateChoice, TradeStats, fit_gate, trade_stats
from domain.outcome import ExitRules, TradeCosts
from domain.symbol_costs import SymbolCosts
from ports.training import EdgeLearner, EdgeModel

Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]
Progress = Callable[[str], None]
Costs = TradeCosts | SymbolCosts  # SymbolCosts: each symbol its own (a fee table's)


@dataclass(frozen=True)
class NamedPolicy:
    name: str
    rules: ExitRules


@dataclass(frozen=True)
class EdgeConfig:
    policies: tuple[NamedPolicy, ...]
    costs: Costs
    cost_variants: tuple[tuple[str, Costs], ...] = ()
    validation_fraction: float = 0.2
    max_train_rows: int = 300_000
    min_trades: int = 30
    margin_pct: float = 0.0  # the settings' margin: the gate never goes below it
    seed: int = 7


@dataclass(frozen=True)
class PolicyTrial:
    policy: str
    gate: GateChoice
    selection_top_decile: TradeStats  # validation half B


@dataclass(frozen=True)
class FoldResult:
    bounds: FoldBounds
    trials: tuple[PolicyTrial, ...]
    policy: NamedPolicy
    gate: GateChoice
    rows: tuple[EdgeRow, ...]  # test period, default costs
    variant_rows: tuple[EdgeRow, ...]  # test period, cheaper execution
    test_auc: float | None  # the model's score vs "trade wins", out of time
    atr_auc: float | None  # ATR% alone vs the same label: the volatility-only baseline
    test_rows: int
    # The test period's trades behind the rows, for the lab's trust figures (walk_forward_trades.py).
    trades: FoldTrades = field(default_factory=dict, metadata={"report": False})

    def row(self, prefix: str) -> EdgeRow:
        return next(r for r in self.rows if r.name.startswith(prefix))

    @property
    def positive(self) -> bool:
        """The gated trades made money on the test period (mean net > 0)."""
        selected = self.row("model: EV gate")
        return selected.count > 0 and selected.mean_pct > 0

    @property
    def beats_baselines(self) -> bool:
        """The gated trades' mean beats random entries and the scanner rule alone (both must trade)."""
        return self._beats(self.row("model: EV gate"))

    @property
    def top_decile_beats_baselines(self) -> bool:
        """The model's top decile of expected value beats both baselines (a ranking skill, not a profit)."""
        return self._beats(self.row("model decile 10"))

    def _beats(self, model: EdgeRow) -> bool:
        random, scanner = self.row("random"), self.row("scanner")
        return model.count > 0 and all(b.count == 0 or model.mean_pct > b.mean_pct for b in (random, scanner))


@dataclass
class EdgeReport:
    config: EdgeConfig
    folds: list[FoldResult] = field(default_factory=list)
    seconds: float = 0.0  # set by the caller (the application reads no clock)

    def verdict(self) -> str:
        """Issue 8's bar: positive in most test periods and better than both baselines in all."""
        n = len(self.folds)
        positive = sum(f.positive for f in self.folds)
        beating = sum(f.beats_baselines for f in self.folds)
        trading = sum(f.gate.is_open for f in self.folds)
        ranking = sum(f.top_decile_beats_baselines for f in self.folds)
        done = n > 0 and positive > n / 2 and beating == n
        head = "EDGE FOUND" if done else "NO EDGE"
        return (f"{head}: the EV gate traded in {trading} of {n} test periods; mean net PnL per trade > 0 "
                f"in {positive} of {n}; beat both baselines in {beating} of {n} (the model's top decile, "
                f"untraded, beat both in {ranking} of {n})")


def _outcomes(periods: Sequence[PeriodBars], policies: Sequence[NamedPolicy], costs: Costs
              ) -> dict[tuple[str, str], Floats]:
    return {(bars.name, p.name): bars.outcomes(p.rules, costs).net_return_pct
            for bars in periods for p in policies}


def _top_decile(model: EdgeModel, features: npt.NDArray[np.float32], net: Floats, times: npt.NDArray[np.int64]
                ) -> TradeStats:
    score = model.score(features)
    keep = score >= np.quantile(score, 0.9) if len(score) else np.zeros(0, dtype=np.bool_)
    return trade_stats(net[keep], times[keep])


def _fold(prior: Sequence[PeriodBars], test: PeriodBars, nets: dict[tuple[str, str], Floats],
          learner: EdgeLearner, config: EdgeConfig, progress: Progress) -> FoldResult:
    gap_bars = max(p.rules.timeout_bars for p in config.policies) + 1
    bounds = fold_bounds(prior, test, gap_bars=gap_bars, validation_fraction=config.validation_fraction,
                         max_train_rows=config.max_train_rows)
    masks = part_masks(bounds)
    trials, models = [], {}
    for policy in config.policies:
        prior_nets = [nets[(p.name, policy.name)] for p in prior]
        train, cal, sel = (gather(prior, prior_nets, masks[part])
                           for part in ("train", "calibration", "selection"))
        progress(f"test {test.name}: {policy.name}: fit on {len(train):,} rows, calibrate on {len(cal):,}")
        model = learner.fit(train.features, train.win, cal.features, cal.win, cal.net_pct)
        expected = model.expected_net_pct(model.score(sel.features))
        gate = fit_gate(expected, sel.net_pct, sel.time_ms, margin_pct=config.margin_pct,
                        min_trades=config.min_trades)
        top = _top_decile(model, sel.features, sel.net_pct, sel.time_ms)
        trials.append(PolicyTrial(policy.name, gate, top))
        models[policy.name] = (policy, model)
        logger.bind(period=test.name, policy=policy.name).info("validation: gate {}", gate.rationale)
    chosen = choose_trial(trials)
    policy, model = models[chosen.policy]
    return _score_test(bounds, tuple(trials), policy, model, chosen.gate, test, nets, config)


def choose_trial(trials: Sequence[PolicyTrial]) -> PolicyTrial:
    """The best policy with an open gate; with none, the least bad (validation top decile)."""
    open_trials = [t for t in trials if t.gate.is_open]
    if open_trials:
        return max(open_trials, key=lambda t: t.gate.stats.objective)
    return max(trials, key=lambda t: _or(t.selection_top_decile.mean_pct))


def _score_test(bounds: FoldBounds, trials: tuple[PolicyTrial, ...], policy: NamedPolicy, model: EdgeModel,
                gate: GateChoice, test: PeriodBars, nets: dict[tuple[str, str], Floats],
                config: EdgeConfig) -> FoldResult:
    net = nets[(test.name, policy.name)]
    score = model.score(test.features)
    expected = model.expected_net_pct(score)
    selected = gate.select(expected) & np.isfinite(net)

    def variants(masks: dict[str, Bools]) -> list[EdgeRow]:
        return [row for name, costs in config.cost_variants
                for row in variant_rows(name, test.outcomes(policy.rules, costs).net_return_pct, selected,
                                        masks, test.time_ms, expected)]
    return test_result(bounds, trials, policy, gate, test, net, score, expected, selected,
                       test_aucs(net, score, test.atr_pct), variants, config.seed)


def variant_rows(name: str, cheaper: Floats, selected: Bools, masks: dict[str, Bools],
                 time_ms: npt.NDArray[np.int64], expected: Floats) -> list[EdgeRow]:
    """The gated trades, the top decile and the scanner rule re-priced under cheaper execution."""
    return [row_of(f"EV gate (selected), {name}", cheaper, selected, time_ms, expected),
            row_of(f"model decile 10, {name}", cheaper, masks["top decile"], time_ms, expected),
            row_of(f"scanner rule alone, {name}", cheaper, masks["scanner"], time_ms)]


def test_aucs(net: Floats, score: Floats, atr_pct: npt.NDArray[np.floating[Any]]
              ) -> tuple[float | None, float | None]:
    """The model's score and ATR% alone (the volatility-only baseline) against "the trade wins", over the
    tradable rows."""
    tradable = np.isfinite(net)
    win = (net[tradable] > 0).astype(np.float64)
    return auc(win, score[tradable]), auc(win, atr_pct[tradable].astype(np.float64))


def test_result(bounds: FoldBounds, trials: tuple[PolicyTrial, ...], policy: NamedPolicy, gate: GateChoice,
                test: SymbolRows, net: Floats, score: Floats, expected: Floats, selected: Bools,
                aucs: tuple[float | None, float | None],
                variants: Callable[[dict[str, Bools]], list[EdgeRow]], seed: int,
                scanner: Bools | None = None) -> FoldResult:
    """A fold's figures from its test period's rows: nets, the chosen model's scores and the gate's picks
    (`aucs`: test_aucs'; `scanner`: the scanner rule's entries, when `test` is not PeriodBars)."""
    rows, masks = period_rows(test, net, score, expected, selected, seed, scanner)
    cheaper = variants(masks)
    tradable = np.isfinite(net)
    return FoldResult(bounds, trials, policy, gate, tuple(rows), tuple(cheaper), *aucs, int(tradable.sum()),
                      fold_trades(net, test, selected, masks["top decile"]))


def evaluate_edge(periods: Sequence[PeriodBars], learner: EdgeLearner, config: EdgeConfig,
                  progress: Progress | None = None) -> EdgeReport:
    """Walk forward over `periods` (oldest first): every period after the first is a test period."""
    report_progress = progress or (lambda _message: None)
    require_walkable(len(periods), config)
    report_progress("simulating every bar's trade under each exit policy")
    nets = _outcomes(periods, config.policies, config.costs)
    return collect_folds([p.name for p in periods], config, lambda k: _fold(
        periods[:k], periods[k], nets, learner, config, report_progress))


def require_walkable(periods: int, config: EdgeConfig) -> None:
    if periods < 2:
        raise ValueError("the edge report needs at least two periods: one to learn from, one to test")
    if not config.policies:
        raise ValueError("the edge report needs at least one exit policy to try")


def collect_folds(names: Sequence[str], config: EdgeConfig, fold_at: Callable[[int], FoldResult]
                  ) -> EdgeReport:
    """The report of the folds testing periods 1.. (`fold_at(k)` learns from those before k), each logged."""
    report = EdgeReport(config)
    for k in range(1, len(names)):
        fold = fold_at(k)
        report.folds.append(fold)
        selected = fold.row("model: EV gate")
        logger.bind(period=names[k]).info(
            "test {}: policy {}, gate {}, selected {} trades, mean {}", names[k], fold.policy.name,
            fold.gate.threshold_pct, selected.count, selected.mean_pct)
    return report


def _or(value: float, default: float = -math.inf) -> float:
    return default if math.isnan(value) else value
