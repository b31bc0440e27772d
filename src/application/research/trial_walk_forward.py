"""Score one candidate of the lab: a walk-forward with purge and embargo over the market periods.

Every period after the first is a test period; its model learns only from the periods before it
(application.research.folds: train, then validation halves A and B, each part separated from the next
by a purge gap of the longest trade window, so no label reads a bar of the part after it). The test
period's first `embargo_bars` are not traded. Per fold the model is fitted on the candidate's features
and label (its target's value after costs > margin: trial_targets.py), calibrated on A; on B the
selection is fitted: the score threshold of the top `top_fraction` of B's rows, or the EV gate
(domain.ev_gate). Only then are the test period's trades taken. The market-drift benchmark is every
tradable test bar's trade, same exits, costs.
`should_stop(fold, running mean)` is asked after each fold (a pruner); True stops the trial there.
With a `simulate` (application/research/fold_simulation.py: the compiled research core), a fold's trades
are the positions the trading loop would take from the selected bars (one per pair, max open, cooldown,
sizing, lot steps, fees, risk limits), not one label per selected bar.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from application.research.fold_reuse import FoldReuse, columns_of, gather_columns
from application.research.fold_simulation import FoldRun
from application.research.folds import part_masks
from application.research.period_bars import PeriodBars
from application.research.trial_params import TrialParams
from application.research.trial_targets import gather_values, labels_of, target_values
from domain.ev_gate import fit_gate
from domain.outcome import TradeCosts
from domain.statistics.trust import Trades
from domain.symbol_costs import SymbolCosts
from ports.training import EdgeLearner, EdgeModel

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
StopAsk = Callable[[int, float], bool]
Simulate = Callable[[PeriodBars, Bools, Floats, TrialParams], FoldRun]


@dataclass(frozen=True)
class WalkForward:
    validation_fraction: float = 0.3
    max_train_rows: int = 200_000
    embargo_bars: int = 0
    gate_min_trades: int = 30
    first_test_period: int = 1  # the holdout mode tests only on the periods after the study's own


@dataclass(frozen=True)
class FoldTrades:
    period: str
    selected: Bools  # over the test period's rows
    net_pct: Floats  # every test row's trade (NaN where untradable or embargoed)
    time_ms: Ints
    symbol: Ints | None = None  # index into `symbols`, per test row (what a fee table prices)
    symbols: tuple[str, ...] = ()
    run: FoldRun | None = None  # the research core's trades of the selected rows, when simulated


@dataclass(frozen=True)
class TrialOutcome:
    folds: tuple[FoldTrades, ...]
    pruned: bool = False

    def _trades(self, pick: Callable[[FoldTrades], Bools]) -> Trades:
        parts = [(f.net_pct[pick(f)], f.time_ms[pick(f)], np.full(int(pick(f).sum()), f.period))
                 for f in self.folds]
        if not parts:
            return Trades(np.empty(0), np.empty(0, np.int64), np.empty(0, dtype=np.str_))
        net, time, period = (np.concatenate(p) for p in zip(*parts, strict=True))
        return Trades(net.astype(np.float64), time.astype(np.int64), period.astype(np.str_))

    def trades(self) -> Trades:
        """The simulated positions when every fold was simulated; else every selected bar's label."""
        if self.folds and all(f.run is not None for f in self.folds):
            return self._simulated()
        return self._trades(lambda f: f.selected & np.isfinite(f.net_pct))

    def traded_symbols(self) -> list[str]:
        """The symbol of each trade, in the order of `trades()`."""
        out: list[str] = []
        for f in self.folds:
            if f.symbol is not None:
                out.extend(f.symbols[i] for i in f.symbol[f.selected & np.isfinite(f.net_pct)].tolist())
        return out

    def _simulated(self) -> Trades:
        runs = [f.run for f in self.folds if f.run is not None]
        net = np.concatenate([r.trades.pnl_pct for r in runs])
        times = np.concatenate([r.trades.entry_ms for r in runs])
        period = np.concatenate([np.full(len(r.trades), f.period)
                                 for f, r in zip(self.folds, runs, strict=True)])
        return Trades(net.astype(np.float64), times.astype(np.int64), period.astype(np.str_))

    def benchmark(self) -> Trades:
        return self._trades(lambda f: np.isfinite(f.net_pct))

    @property
    def count(self) -> int:
        return len(self.trades())

    @property
    def mean_pct(self) -> float:
        trades = self.trades()
        return float(trades.net_pct.mean()) if len(trades) else float("nan")


def _selection(params: TrialParams, model: EdgeModel, features: npt.NDArray[np.float32], net: Floats,
               time_ms: Ints, config: WalkForward
               ) -> Callable[[npt.NDArray[np.float32]], tuple[Bools, Floats]]:
    """(which rows are selected, the model's score of each) for a period's features."""
    score = model.score(features)
    if params.selection == "ev_gate":
        gate = fit_gate(model.expected_net_pct(score), net, time_ms, min_trades=config.gate_min_trades)

        def by_gate(x: npt.NDArray[np.float32]) -> tuple[Bools, Floats]:
            if not gate.is_open:  # selects nothing whatever the scores: the test rows are not scored
                return np.zeros(len(x), dtype=np.bool_), np.zeros(len(x))
            expected = model.expected_net_pct(model.score(x))
            return gate.select(expected), expected
        return by_gate
    threshold = float(np.quantile(score, 1 - params.top_fraction)) if len(score) else np.inf

    def by_rank(x: npt.NDArray[np.float32]) -> tuple[Bools, Floats]:
        scored = model.score(x)
        return np.asarray(scored >= threshold, dtype=np.bool_), scored
    return by_rank


def _fold(prior: Sequence[PeriodBars], test: PeriodBars, nets: Sequence[Floats], test_net: Floats,
          params: TrialParams, learner: EdgeLearner, config: WalkForward,
          simulate: Simulate | None = None, reuse: FoldReuse | None = None,
          targets: Sequence[Floats] | None = None) -> FoldTrades | None:
    bounds = (reuse or FoldReuse()).bounds(prior, test, gap_bars=params.timeout_bars + 1,
                                           validation_fraction=config.validation_fraction,
                                           max_train_rows=config.max_train_rows)
    if bounds is None:  # the earlier periods are too short to train, validate and select on
        return None
    masks = part_masks(bounds)
    cols = params.feature_columns()
    train, cal, sel = (gather_columns(prior, nets, masks[part], cols)
                       for part in ("train", "calibration", "selection"))
    margin = params.label_margin_pct
    embargo_end = int(test.time_ms.min()) + config.embargo_bars * test.interval_ms if len(test) else 0
    net = np.where(test.time_ms >= embargo_end, test_net, np.nan)
    if targets is None:  # the outcome target: the label reads the trade's own net return
        y_train, y_cal = labels_of(train.net_pct, margin), labels_of(cal.net_pct, margin)
    else:
        y_train, y_cal = (labels_of(gather_values(prior, nets, targets, masks[part]), margin)
                          for part in ("train", "calibration"))
    try:
        model = learner.fit(train.features, y_train, cal.features, y_cal, cal.net_pct)
    except ValueError:  # e.g. not one winning trade to learn from: the candidate does not trade here
        none = np.zeros(len(test), dtype=np.bool_)
        run = simulate(test, none, np.zeros(len(test)), params) if simulate is not None else None
        return FoldTrades(test.name, none, net, test.time_ms, test.symbol, test.symbols, run)
    select = _selection(params, model, sel.features, sel.net_pct, sel.time_ms, config)
    selected, score = select(columns_of(test.features, cols))
    traded = selected & (test.time_ms >= embargo_end)
    run = None if simulate is None else simulate(test, traded, score, params)
    return FoldTrades(test.name, selected, net, test.time_ms, test.symbol, test.symbols, run)


def evaluate_trial(periods: Sequence[PeriodBars], params: TrialParams, learner: EdgeLearner,
                   costs: TradeCosts | SymbolCosts, config: WalkForward, should_stop: StopAsk | None = None,
                   simulate: Simulate | None = None, reuse: FoldReuse | None = None) -> TrialOutcome:
    """Walk forward over `periods` (oldest first). A fold whose earlier periods are too short to train,
    validate and select on is skipped. `reuse`: what earlier trials over these periods found (fold_reuse)."""
    nets = [p.outcomes(params.exit_rules, costs).net_return_pct for p in periods]
    # Another target than the trade's outcome: its values per bar, read only where a fold learns.
    targets = None if params.target == "outcome" else [
        target_values(p, params.target, params.timeout_bars, costs, net)
        for p, net in zip(periods, nets, strict=True)]
    folds: list[FoldTrades] = []
    for k in range(max(config.first_test_period, 1), len(periods)):
        fold = _fold(periods[:k], periods[k], nets[:k], nets[k], params, learner, config, simulate, reuse,
                     None if targets is None else targets[:k])
        if fold is None:
            continue
        folds.append(fold)
        running = TrialOutcome(tuple(folds)).mean_pct
        if should_stop is not None and should_stop(k, running):
            return TrialOutcome(tuple(folds), pruned=True)
    return TrialOutcome(tuple(folds))
