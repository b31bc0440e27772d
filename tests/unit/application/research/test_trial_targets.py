"""The lab's targets: known values on hand-made bars, holes and a symbol's own costs, and the labels a
walk-forward trains on (each target its own, none reading the test period)."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import numpy.typing as npt
import pytest
from tests.conftest import SAMPLE_KLINES
from tests.unit.application.research.lab_support import FakeLearner

from adapters.history.klines import load_klines
from application.research.market_periods import plan_periods, research_bars
from application.research.period_bars import PeriodBars
from application.research.trial_params import TrialParams, trial_params
from application.research.trial_targets import labels_of, target_values
from application.research.trial_walk_forward import WalkForward, evaluate_trial
from domain.features import FEATURE_NAMES
from domain.outcome import TradeCosts
from domain.scanner_rules import ScannerRules
from domain.symbol_costs import SymbolCosts

M = 60_000
COSTS = TradeCosts(entry_fee=0.001, take_profit_fee=0.001, exit_fee=0.001, slippage_pct=0.0002)  # 0.24%
OPEN = [100.0, 100.5, 100.0, 99.0, 102.0]
HIGH = [100.5, 101.5, 100.0, 103.0, 102.5]
CLOSE = [100.0, 101.0, 99.0, 102.0, 100.0]


def bars(times: list[int], symbols: tuple[str, ...] = ("BTCUSDT",), per_symbol: int = 5) -> PeriodBars:
    n = len(times)
    symbol = np.repeat(np.arange(len(symbols)), per_symbol)
    blocks = tuple(slice(i * per_symbol, (i + 1) * per_symbol) for i in range(len(symbols)))

    def column(values: list[float]) -> npt.NDArray[np.float64]:
        return np.tile(np.asarray(values), len(symbols))
    return PeriodBars("p", symbols, symbol.astype(np.int64), np.asarray(times, np.int64), column(OPEN),
                      column(HIGH), column([99.0] * 5), column(CLOSE),
                      np.zeros((n, len(FEATURE_NAMES)), np.float32), np.zeros(n), np.zeros(n, np.bool_),
                      blocks, M)


def test_the_spec_target_is_the_best_rise_within_the_hold_after_the_round_trip() -> None:
    values = target_values(bars([i * M for i in range(5)]), "spec", 2, COSTS, np.full(5, np.nan))
    assert COSTS.round_trip_pct == pytest.approx(0.24)
    rise = [1.5, (103 / 101 - 1) * 100, (103 / 99 - 1) * 100]  # best high of the next two bars vs the close
    assert values[:3] == pytest.approx([r - 0.24 for r in rise])
    assert np.isnan(values[3:]).all()  # the window leaves the data


def test_the_forward_target_runs_from_the_next_open_to_the_close_of_the_hold() -> None:
    values = target_values(bars([i * M for i in range(5)]), "forward", 2, COSTS, np.full(5, np.nan))
    moved = [(99 / 100.5 - 1) * 100, 2.0, (100 / 99 - 1) * 100]  # close[t+2] vs open[t+1]
    assert values[:3] == pytest.approx([m - 0.24 for m in moved])
    assert np.isnan(values[3:]).all()
    assert labels_of(values, 1.0).tolist() == [0.0, 1.0, 0.0, 0.0, 0.0]  # NaN is never a 1


def test_the_outcome_target_is_the_trades_own_net_return() -> None:
    net = np.array([0.3, -0.2, np.nan, 0.1, np.nan])
    assert target_values(bars([i * M for i in range(5)]), "outcome", 2, COSTS, net) is net
    assert labels_of(net, 0.0).tolist() == [1.0, 0.0, 0.0, 1.0, 0.0]


def test_a_window_across_a_hole_has_no_value() -> None:
    holed = bars([0, M, 2 * M, 10 * M, 11 * M])  # a hole after the third bar
    values = target_values(holed, "forward", 2, COSTS, np.full(5, np.nan))
    assert not math.isnan(values[0]) and np.isnan(values[1:]).all()


def test_each_symbol_pays_its_own_round_trip() -> None:
    two = bars([i * M for i in range(5)] * 2, ("BTCUSDT", "BTCFDUSD"))
    free = TradeCosts(entry_fee=0.0, take_profit_fee=0.0, exit_fee=0.0, slippage_pct=0.0)
    values = target_values(two, "spec", 2, SymbolCosts(COSTS, {"BTCFDUSD": free}), np.full(10, np.nan))
    assert values[5] == pytest.approx(1.5) and values[0] == pytest.approx(1.5 - 0.24)


def test_the_space_refuses_an_unknown_target_or_quote_with_one_line() -> None:
    with pytest.raises(ValueError, match="target 'label' is not one of") as caught:
        trial_params({"target": "label"})
    assert "\n" not in str(caught.value)
    with pytest.raises(ValueError, match="quote_asset 'US-DT' is not an asset name"):
        trial_params({"quote_asset": "US-DT"})
    assert trial_params({"quote_asset": "fdusd"}).quote_asset == "FDUSD"
    assert trial_params({"quote_asset": "ALL"}).quote_asset == "all"


class LabelsLearner(FakeLearner):
    """FakeLearner that keeps the labels it was given."""

    def __init__(self) -> None:
        super().__init__()
        self.labels: list[npt.NDArray[np.float64]] = []

    def fit(self, x_train: npt.NDArray[np.float32], y_train: npt.NDArray[np.float64],
            x_val: npt.NDArray[np.float32], y_val: npt.NDArray[np.float64],
            net_val: npt.NDArray[np.float64]):  # type: ignore[no-untyped-def]
        self.labels.append(np.concatenate([y_train, y_val]))
        return super().fit(x_train, y_train, x_val, y_val, net_val)


@pytest.fixture(scope="module")
def sample_periods() -> list[PeriodBars]:
    klines = load_klines(SAMPLE_KLINES, None, None, None)
    return research_bars(klines, plan_periods(klines, max_days=1.0), 1, ScannerRules())


def _labels(periods: list[PeriodBars], target: str) -> list[npt.NDArray[np.float64]]:
    learner = LabelsLearner()
    params = TrialParams(target=target, hold_minutes=10, top_fraction=0.1)
    config = WalkForward(validation_fraction=0.3, max_train_rows=20_000)
    evaluate_trial(periods, params, learner, COSTS, config)
    return learner.labels


def test_each_target_trains_on_its_own_labels_and_never_on_the_test_period(
        sample_periods: list[PeriodBars]) -> None:
    outcome, spec, forward = (_labels(sample_periods, t) for t in ("outcome", "spec", "forward"))
    assert len(outcome) == len(spec) == len(forward) == len(sample_periods) - 1
    first = [o[0] for o in (outcome, spec, forward)]
    assert len({len(a) for a in first}) == 1  # the same rows (those with a trade), other labels
    assert not np.array_equal(first[0], first[1]) and not np.array_equal(first[1], first[2])
    assert first[1].mean() > first[0].mean()  # touching a high is easier than ending a trade in profit
    last = sample_periods[-1]
    wild = dataclasses.replace(last, high=last.high * 3, close=last.close * 0.5)  # the future, changed
    changed = _labels([*sample_periods[:-1], wild], "spec")
    assert all(np.array_equal(a, b) for a, b in zip(changed, spec, strict=True))


def test_a_promoted_candidate_is_fitted_on_its_own_target(sample_periods: list[PeriodBars]) -> None:
    from application.research.candidate_fit import fit_candidate

    config = WalkForward(validation_fraction=0.3, max_train_rows=20_000)
    fits = {}
    for target in ("outcome", "spec"):
        learner = LabelsLearner()
        params = TrialParams(target=target, hold_minutes=10, top_fraction=0.1)
        fit = fit_candidate(sample_periods[:-1], sample_periods[-1], params, learner, COSTS, config)
        fits[target] = (fit, learner.labels[0])
    for fit, labels in fits.values():  # what the card says it learned is what it was given
        assert fit.parts["train"].positives + fit.parts["validation"].positives >= labels.sum()
        assert fit.parts["train"].rows == fits["outcome"][0].parts["train"].rows
    assert fits["spec"][0].parts["train"].positives > fits["outcome"][0].parts["train"].positives
