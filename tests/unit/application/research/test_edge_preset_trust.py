"""The edge preset's break-even: with a fee table, each pooled trade at its own symbol's rates, exactly as
the lab prices a candidate; without one, today's figures bit for bit."""

from __future__ import annotations

import json

import numpy as np
import pytest
from tests.support.fakes import FakeSymbolRows

from application.research.edge_preset_trust import edge_trust, pooled_costing, trust_lines
from application.research.folds import FoldBounds
from application.research.lab_costs import lab_costing
from application.research.trial_params import TrialParams
from application.research.walk_forward import Costs, EdgeConfig, EdgeReport, FoldResult, NamedPolicy
from application.research.walk_forward_trades import fold_trades
from domain.ev_gate import GateChoice, trade_stats
from domain.outcome import ExitRules, TradeCosts
from domain.statistics.break_even import BINANCE_SPOT_TIERS
from domain.statistics.trust import Costing, Trades, trust_figures
from domain.symbol_costs import SymbolCosts
from domain.time_units import DAY_MS

DEFAULT = TradeCosts(0.001, 0.001, 0.001, 0.0)  # a 0.2% round trip, no slippage
FREE = TradeCosts(0.0, 0.0, 0.0, 0.0)
POLICY = NamedPolicy("tp 0.3 / sl 0.4 / 5m", ExitRules(0.003, 0.004, 5))


def _fold(period: str, start_day: int, symbols: tuple[str, ...], codes: list[int], net: list[float],
          gated: list[bool]) -> FoldResult:
    """One test period's rows (a day apart each) and the gate's picks; the top decile takes every row."""
    times = (start_day + np.arange(len(net), dtype=np.int64)) * DAY_MS
    rows = FakeSymbolRows(times, np.asarray(codes, dtype=np.int64), symbols)
    values = np.asarray(net, dtype=np.float64)
    bounds = FoldBounds(period, ("before",), 0, 1, 2, 3, 60_000, 1)
    gate = GateChoice(0.0, trade_stats(values), "open")
    return FoldResult(bounds, (), POLICY, gate, (), (), None, None, len(net),
                      fold_trades(values, rows, np.asarray(gated), np.ones(len(net), dtype=np.bool_)))


def _report(costs: Costs) -> EdgeReport:
    # the two periods list their symbols differently: a code means a symbol of its own period only
    first = _fold("2023-01", 0, ("BTCUSDT", "FREEUSDT"), [1, 0, 0, 1, 0],
                  [0.10, -0.20, 0.05, -0.30, 0.02], [True, True, False, False, False])
    second = _fold("2023-02", 40, ("ETHUSDT", "FREEUSDT", "BTCUSDT"), [2, 0, 1, 2],
                   [-0.10, 0.02, 0.08, -0.04], [True, True, False, False])
    return EdgeReport(EdgeConfig((POLICY,), costs), [first, second])


def test_without_a_fee_table_the_figures_are_todays_bit_for_bit() -> None:
    report = _report(DEFAULT)
    plain = edge_trust(report, seed=2)
    empty = edge_trust(_report(SymbolCosts(DEFAULT, {})), seed=2)
    assert json.dumps(plain, sort_keys=True) == json.dumps(empty, sort_keys=True)
    # today's pricing: the default round trip, taker entries, the slippage in percent
    today = Costing(DEFAULT.round_trip_pct, maker_entry=False, slippage_pct=DEFAULT.slippage_pct * 100)
    gate = Trades(np.array([0.10, -0.20, -0.10, 0.02]), np.array([0, 1, 40, 41]) * DAY_MS,
                  np.array(["2023-01", "2023-01", "2023-02", "2023-02"]))
    bench_net = np.array([0.10, -0.20, 0.05, -0.30, 0.02, -0.10, 0.02, 0.08, -0.04])
    bench = Trades(bench_net, np.r_[np.arange(5), 40 + np.arange(4)] * DAY_MS, np.full(9, ""))
    figures = trust_figures(gate, bench, today, seed=2).break_even
    assert plain["EV gate"]["break_even_round_trip_pct"] == figures.round_trip_pct
    assert plain["EV gate"]["paying_tier"] == figures.cheapest_paying == "regular + BNB"
    assert plain["EV gate"]["break_even_rates"]["rates"] == "default" and plain["fee_table"] == []
    assert "at the default rates" in trust_lines(plain)[0]


def test_with_a_fee_table_each_trade_pays_its_own_symbols_rates() -> None:
    costs = SymbolCosts(DEFAULT, {"FREEUSDT": FREE})
    trust = edge_trust(_report(costs), seed=2)
    gate = trust["EV gate"]
    # the gate took FREE +0.10, BTC -0.20 (2023-01), BTC -0.10, ETH +0.02 (2023-02): mean -0.045%, paid
    # (0 + 3 x 0.2) / 4 = 0.15%, so the edge vanishes at a 0.105% round trip (the default rates said
    # 0.155%: regular + BNB, 0.15%, would pay); a quarter of the trades pay nothing in every tier, so a
    # tier costs 3/4 of its taker round trip: regular + BNB and VIP 1 + BNB (0.15% -> 0.1125%) do not
    # pay, VIP 3 + BNB (0.09% -> 0.0675%) is the dearest that does
    assert gate["break_even_round_trip_pct"] == pytest.approx(0.105)
    assert gate["paying_tier"] == "VIP 3 + BNB"
    rates = gate["break_even_rates"]
    assert rates["rates"] == "per symbol (fee table)" and trust["fee_table"] == ["FREEUSDT"]
    assert rates["priced_at_round_trip_pct"] == pytest.approx(0.15)
    assert (rates["own_rates_share"], rates["own_round_trip_pct"]) == (0.25, 0.0)
    assert "at each symbol's rates" in trust_lines(trust)[0] and "25.0%" in trust_lines(trust)[0]


def test_the_pooled_costing_is_the_labs_for_the_same_trades() -> None:
    costs = SymbolCosts(DEFAULT, {"FREEUSDT": FREE, "ETHUSDT": TradeCosts(0.0005, 0.0005, 0.0005, 0.0001)})
    report = _report(costs)
    traded = {"EV gate": ["FREEUSDT", "BTCUSDT", "BTCUSDT", "ETHUSDT"],
              "model decile 10": ["FREEUSDT", "BTCUSDT", "BTCUSDT", "FREEUSDT", "BTCUSDT",
                                  "BTCUSDT", "ETHUSDT", "FREEUSDT", "BTCUSDT"]}
    for name, symbols in traded.items():
        lab = lab_costing(TrialParams(entry="taker"), costs, BINANCE_SPOT_TIERS, 0.0, symbols)
        assert pooled_costing(report, name) == lab
    # a table none of whose symbols traded: the default rates, as the lab
    elsewhere = _report(SymbolCosts(DEFAULT, {"SOLUSDT": FREE}))
    assert pooled_costing(elsewhere, "EV gate") == Costing(0.2, maker_entry=False, slippage_pct=0.0)
