"""The streamed edge walk-forward gives evaluate_edge's figures without holding a period's features.

Four periods cut from small slices of real recorded klines (../shared/data): BTC and ETH 2025-06, then
five pairs 2026-03, two days each. Each period is kept once as whole PeriodBars, once as a PeriodSource.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from adapters.research.lab_data import load_lab_data
from adapters.training.edge_learner import LightGbmEdgeLearner
from adapters.training.lightgbm_trainer import BoosterParams
from application.research.market_periods import plan_periods
from application.research.period_bars import PeriodBars, build_period_bars
from application.research.period_rows import scanner_entries
from application.research.period_source import PeriodSource
from application.research.scanner_top import ScannerTop
from application.research.walk_forward import EdgeConfig, EdgeReport, NamedPolicy, evaluate_edge
from application.research.walk_forward_streamed import evaluate_edge_streamed
from application.research.walk_forward_trades import EVERY_BAR
from domain.features import KlineArrays
from domain.outcome import ExitRules, TradeCosts
from domain.scanner_rules import ScannerRules

FILES = ("freqtrade_userdata/binance_spot_1m_2025-06-01_2025-07-01_BTC_ETH.csv.xz",
         "freqtrade_userdata/binance_spot_1m_2026-03-23_2026-04-22_5pairs.csv.xz")
COSTS = TradeCosts(entry_fee=0.001, take_profit_fee=0.001, exit_fee=0.001, slippage_pct=0.0002)
LEARNER = LightGbmEdgeLearner(BoosterParams(n_estimators=30, min_child_samples=50, early_stopping_rounds=10,
                                           n_jobs=1))
CONFIG = EdgeConfig(policies=(NamedPolicy("tight", ExitRules(0.003, 0.004, 5)),
                              NamedPolicy("wide", ExitRules(0.006, 0.006, 15))),
                    costs=COSTS, cost_variants=(("cheap", TradeCosts(0.00075, 0.00075, 0.00075, 0.0)),),
                    min_trades=10)
COLUMNS = ("open_time_ms", "open", "high", "low", "close", "volume", "taker_buy_base_volume", "quote_volume",
           "trades")


def _period_klines(klines: dict[str, KlineArrays], start: int, end: int) -> dict[str, KlineArrays]:
    out = {}
    for symbol, k in klines.items():
        keep = (k.open_time_ms >= start) & (k.open_time_ms < end)
        if keep.any():
            out[symbol] = KlineArrays(*(getattr(k, c)[keep] for c in COLUMNS))
    return out


@pytest.fixture(scope="module")
def periods(shared_data: Path) -> tuple[list[PeriodBars], list[PeriodSource]]:
    data = load_lab_data([shared_data / f for f in FILES], max_days=4)
    plans = plan_periods(data.klines, max_days=2)
    parts = [(p.name, _period_klines(data.klines, p.start_ms, p.end_ms)) for p in plans]
    return ([build_period_bars(name, k, ScannerRules()) for name, k in parts],
            [PeriodSource(name, k, ScannerRules()) for name, k in parts])


def test_a_source_builds_the_same_rows_symbol_by_symbol(
        periods: tuple[list[PeriodBars], list[PeriodSource]]) -> None:
    for bars, source in zip(*periods, strict=True):
        assert source.symbols == bars.symbols and len(source) == len(bars)
        assert np.array_equal(source.time_ms, bars.time_ms)
        for code, block in enumerate(bars.blocks):
            own = source.symbol_bars(code)
            assert np.array_equal(own.features, bars.features[block], equal_nan=True)
            assert np.array_equal(own.symbol, bars.symbol[block])
            assert np.array_equal(own.scan_score, bars.scan_score[block])
            rules = CONFIG.policies[1].rules
            whole = bars.outcomes(rules, COSTS).net_return_pct[block]
            assert np.array_equal(own.outcomes(rules, COSTS).net_return_pct, whole, equal_nan=True)
            assert np.array_equal(source.symbol_prices(code).outcomes(rules, COSTS).net_return_pct, whole,
                                  equal_nan=True)


def _same(a: EdgeReport, b: EdgeReport) -> None:
    assert len(a.folds) == len(b.folds) == 3
    for x, y in zip(a.folds, b.folds, strict=True):
        assert x.bounds == y.bounds and x.policy == y.policy and x.gate == y.gate
        assert x.trials == y.trials
        assert x.rows == y.rows and x.variant_rows == y.variant_rows
        assert (x.test_auc, x.atr_auc, x.test_rows) == (y.test_auc, y.atr_auc, y.test_rows)
        assert x.trades.keys() == y.trades.keys()
        for name, (net, time_ms, symbol, symbols) in x.trades.items():
            assert np.array_equal(net, y.trades[name][0]) and np.array_equal(time_ms, y.trades[name][1])
            assert symbols == y.trades[name].symbols
            assert (symbol is None) == (y.trades[name].symbol is None) == (name == EVERY_BAR)
            assert symbol is None or np.array_equal(symbol, y.trades[name].symbol)


def test_the_streamed_walk_forward_gives_the_same_figures(
        periods: tuple[list[PeriodBars], list[PeriodSource]]) -> None:
    whole, sources = periods
    streamed = evaluate_edge_streamed(sources, LEARNER, CONFIG)
    _same(evaluate_edge(whole, LEARNER, CONFIG), streamed)
    assert streamed.verdict() == evaluate_edge(whole, LEARNER, CONFIG).verdict()
    assert sum(f.row("model decile 10").count for f in streamed.folds) > 0  # the folds did trade


class _EveryThirdStops(LightGbmEdgeLearner):
    """Early-stops on every third validation row (the real learner samples only past 150k rows)."""

    def stopping_rows(self, validation_rows: int) -> npt.NDArray[np.int64]:
        return np.arange(0, validation_rows, 3, dtype=np.int64)


def test_sampled_early_stopping_rows_are_the_same_bars_streamed(
        periods: tuple[list[PeriodBars], list[PeriodSource]]) -> None:
    whole, sources = periods
    learner = _EveryThirdStops(LEARNER._params)
    _same(evaluate_edge(whole, learner, CONFIG), evaluate_edge_streamed(sources, learner, CONFIG))


def test_a_period_without_a_warmed_up_symbol_is_refused() -> None:
    k = KlineArrays(np.arange(10, dtype=np.int64) * 60_000, *(np.ones(10) for _ in range(5)))
    with pytest.raises(ValueError, match="no symbol has"):
        PeriodSource("tiny", {"BTCUSDT": k}, ScannerRules())


def test_the_scanner_leader_found_symbol_by_symbol_is_the_sorted_one(
        periods: tuple[list[PeriodBars], list[PeriodSource]]) -> None:
    bars = periods[0][-1]
    rng = np.random.default_rng(3)
    # ties on purpose: scores drawn from a few values, alerts at random
    scored = dataclasses.replace(bars, scan_score=rng.choice([0.0, 0.4, 0.6, 0.9], len(bars)),
                                 scan_alert=rng.random(len(bars)) < 0.5)
    top = ScannerTop(np.unique(scored.time_ms))
    for block in scored.blocks:
        top.add(scored.time_ms[block], scored.scan_score[block], scored.scan_alert[block])
    assert np.array_equal(top.entries(), scanner_entries(scored))
    assert scanner_entries(scored).sum() > 10
