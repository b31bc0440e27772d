"""The two baselines a model run is printed beside, so its edge (or the lack of one) shows.

Both run through the same Backtest, loop, simulator, exits, sizing and risk limits as the model run;
only the entry plan differs. Their "predictions" say yes to every planned entry (probability and
confidence 1, a move and an expected net return just above the thresholds), so the signal rules let
exactly the planned entries through and the risk book still decides.
- random entries: as many entries per day as the model run made (or `fallback_per_day` when it made
  none), at bars drawn uniformly (seeded) among those that can be entered;
- scanner rule alone: the scanner's top candidate of each minute when one of its alerts fires and its
  quick score exceeds `min_quick_score`; no model.
"""

from __future__ import annotations

import math

import numpy as np

from application.backtest.market_grid import BacktestMarket
from application.backtest.precompute import EntryPlan, Ints, scanner_candidates
from domain.scanner_rules import ScannerRules
from domain.signal import SignalThresholds
from domain.time_units import DAY_MS


def always_yes(name: str, market: BacktestMarket, minute: Ints, symbol: Ints,
               thresholds: SignalThresholds) -> EntryPlan:
    order = np.lexsort((symbol, minute))
    minute, symbol = minute[order].astype(np.int64), symbol[order].astype(np.int64)
    n = len(minute)
    margin = thresholds.min_expected_net_return_percent
    return EntryPlan(
        name, minute, symbol, probability=np.ones(n), confidence=np.ones(n),
        move_pct=np.full(n, thresholds.min_predicted_move_percent + 1.0),
        net_return_pct=np.full(n, (margin if margin is not None else 0.0) + 1.0),
        passes=market.has_next_bar()[symbol, minute] if n else np.zeros(0, dtype=np.bool_))


def random_plan(market: BacktestMarket, thresholds: SignalThresholds, entries_per_day: float, *,
                seed: int, trade_from_minute: int = 0) -> EntryPlan:
    """`entries_per_day` entries on average, at random enterable (minute, symbol) bars."""
    enterable = market.has_next_bar()
    enterable[:, :trade_from_minute] = False
    symbol, minute = np.nonzero(enterable)
    span_ms = (int(market.minutes[-1]) - int(market.minutes[trade_from_minute]) + market.bar_ms
               if trade_from_minute < len(market.minutes) else 0)
    wanted = min(len(minute), math.ceil(entries_per_day * span_ms / DAY_MS)) if entries_per_day > 0 else 0
    picked = np.random.default_rng(seed).choice(len(minute), size=wanted, replace=False) if wanted else \
        np.empty(0, dtype=np.int64)
    return always_yes("random entries", market, minute[picked], symbol[picked], thresholds)


def scanner_plan(market: BacktestMarket, rules: ScannerRules, thresholds: SignalThresholds, *,
                 min_quick_score: float = 0.5, trade_from_minute: int = 0) -> EntryPlan:
    """The scanner's top candidate of each minute, when an alert fires and its score clears the bar."""
    minute, symbol, score, alert = scanner_candidates(market, rules, 1)
    keep = alert & (score > min_quick_score) & (minute >= trade_from_minute)
    return always_yes("scanner rule alone", market, minute[keep], symbol[keep], thresholds)


def entries_per_day(entries: int, start_ms: int, end_ms: int) -> float:
    days = max((end_ms - start_ms) / DAY_MS, 1 / 1440)
    return entries / days
