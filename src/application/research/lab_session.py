"""The edge lab's session over one data set: market periods planned once, bars built once per bar
interval and universe (cached), and the two things a study asks of it: score a candidate (with a pruner
asking after each fold) and replay a finalist for its trust figures.

What a trial leaves in the study is a domain.research_trials.TrialScore: its mean net return per trade,
its trade count and its daily P&L over the test calendar (one column of the trial matrix).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from application.research.fold_reuse import FoldReuse
from application.research.lab_costs import lab_costing, lab_costs
from application.research.market_periods import PeriodPlan, only_symbols, research_bars, test_days
from application.research.period_bars import PeriodBars
from application.research.study_figures import daily_pnl
from application.research.trial_params import TrialParams, trial_params
from application.research.trial_walk_forward import (
    Simulate,
    StopAsk,
    TrialOutcome,
    WalkForward,
    evaluate_trial,
)
from domain.features import KlineArrays
from domain.research_trials import TrialScore
from domain.scanner_rules import ScannerRules
from domain.statistics.break_even import FeeTier
from domain.statistics.regimes import MarketIndex, MarketStates, RegimeRules, market_index, market_states
from domain.statistics.trust import Costing
from domain.universe import quoted_in
from ports.training import EdgeLearner

LearnerFor = Callable[[TrialParams], EdgeLearner]


@dataclass
class LabSession:
    klines: Mapping[str, KlineArrays]
    plans: Sequence[PeriodPlan]
    learner_for: LearnerFor
    walk_forward: WalkForward
    tiers: tuple[FeeTier, ...]
    slippage_pct: float
    universes: Mapping[str, Sequence[str] | None] = field(default_factory=lambda: {"all": None})
    symbol_fees: Mapping[str, FeeTier] = field(default_factory=dict)  # a symbol's own [maker, taker] %
    simulate: Simulate | None = None  # the compiled research core (fold_simulation.py); None: labels
    regime_rules: RegimeRules = field(default_factory=RegimeRules)  # the market states of the breakdown
    _bars: dict[tuple[int, str, str], list[PeriodBars]] = field(default_factory=dict)
    _reuse: FoldReuse = field(default_factory=FoldReuse)  # what trials over the same bars share
    _indexes: dict[tuple[str, ...], MarketIndex] = field(default_factory=dict)  # by the pairs it averages

    @property
    def calendar(self) -> npt.NDArray[np.int64]:
        return test_days(self.plans, self.walk_forward.first_test_period)

    def periods(self, params: TrialParams) -> list[PeriodBars]:
        key = (params.interval_minutes, params.universe, params.quote_asset)
        if key not in self._bars:
            by_interval = self._interval_bars(params.interval_minutes)
            symbols = self.symbols_of(params)
            self._bars[key] = [only_symbols(b, symbols) for b in by_interval]
        return self._bars[key]

    def symbols_of(self, params: TrialParams) -> list[str] | None:
        """The pairs of the trial's universe and quote asset (None: every pair of the data; may be empty)."""
        if params.universe not in self.universes:
            raise ValueError(f"universe {params.universe!r} is not one of: {', '.join(self.universes)}")
        named = self.universes[params.universe]
        if params.quote_asset == "all":
            return None if named is None else list(named)
        return [s for s in (self.klines if named is None else named) if quoted_in(s, (params.quote_asset,))]

    def market_states(self, params: TrialParams, time_ms: npt.NDArray[np.int64]) -> MarketStates:
        """The regime of the trial's market (its universe and quote asset, 1m closes) at these times."""
        pairs = tuple(s for s in (self.symbols_of(params) or sorted(self.klines)) if s in self.klines)
        if pairs not in self._indexes:
            self._indexes[pairs] = market_index([self.klines[s].open_time_ms for s in pairs],
                                                [self.klines[s].close for s in pairs])
        return market_states(self._indexes[pairs], time_ms, self.regime_rules)

    def _interval_bars(self, minutes: int) -> list[PeriodBars]:
        whole = (minutes, "all", "all")
        if whole not in self._bars:
            self._bars[whole] = research_bars(self.klines, self.plans, minutes, ScannerRules())
        return self._bars[whole]

    def replay(self, params: TrialParams, should_stop: StopAsk | None = None) -> tuple[TrialOutcome, Costing]:
        costs = lab_costs(params, self.tiers, self.slippage_pct, self.symbol_fees)
        # The compiled core charges one fee tier to every pair: a study with pairs of their own rates is
        # scored on labels, each priced at its symbol's rate (lab_costs), until the core takes a fee table.
        simulate = self.simulate if not costs.own else None
        outcome = evaluate_trial(self.periods(params), params, self.learner_for(params),
                                 costs if costs.own else costs.default, self.walk_forward, should_stop,
                                 simulate, self._reuse)
        traded = outcome.traded_symbols() if costs.own else []
        return outcome, lab_costing(params, costs, self.tiers, self.slippage_pct, traded)

    def score(self, values: Mapping[str, object], should_stop: StopAsk | None = None) -> TrialScore:
        """Score the candidate drawn as `values` (ValueError names a value that is not understood)."""
        params = trial_params(values)
        if self.symbols_of(params) == []:  # e.g. a universe without a pair of the quote drawn: no trade
            return TrialScore(params.as_dict(), float("nan"), 0, tuple(0.0 for _ in self.calendar), False)
        outcome, _ = self.replay(params, should_stop)
        daily = daily_pnl(outcome.trades(), self.calendar)
        return TrialScore(params.as_dict(), outcome.mean_pct, outcome.count,
                          tuple(round(float(v), 6) for v in daily), outcome.pruned)


def quote_without_pairs(space: Mapping[str, object], symbols: Sequence[str]) -> str | None:
    """One line naming the first quote asset the space may draw that no pair of the data is quoted in
    (None when every choice has pairs): a study over it could only fail."""
    domain = space.get("quote_asset", "all")
    for choice in domain if isinstance(domain, list) else [domain]:
        quote = str(choice).upper()
        if quote != "ALL" and not any(quoted_in(s, (quote,)) for s in symbols):
            return (f"space.quote_asset {quote}: the data holds no {quote} pair (it holds "
                    f"{', '.join(sorted(symbols))})")
    return None
