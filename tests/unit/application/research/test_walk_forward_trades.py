"""Every bar's trade kept by its entry minute gives the same trust figures as with its full entry time."""

from __future__ import annotations

import numpy as np
from tests.support.fakes import FakeSymbolRows

from application.research.walk_forward_trades import EVERY_BAR, entry_times_ms, fold_trades
from domain.statistics.trust import Costing, Trades, trust_figures
from domain.time_units import DAY_MS, MINUTE_MS


def test_the_market_drift_from_entry_minutes_gives_the_same_trust_figures() -> None:
    rng = np.random.default_rng(11)
    n = 50_000
    time_ms = np.sort(rng.integers(0, 40 * DAY_MS, n)).astype(np.int64)  # any millisecond, not minutes
    net = rng.normal(-0.05, 0.4, n)
    net[rng.random(n) < 0.05] = np.nan  # untradable bars
    selected = rng.random(n) < 0.02
    rows = FakeSymbolRows(time_ms, rng.integers(0, 3, n), ("A", "B", "C"))
    trades = fold_trades(net, rows, selected, rng.random(n) < 0.1)
    stored_net, stored, no_symbol, _ = trades[EVERY_BAR]
    assert no_symbol is None
    assert stored.dtype == np.int32 and np.array_equal(stored_net, net[np.isfinite(net)])
    restored = entry_times_ms(EVERY_BAR, stored)
    tradable = np.isfinite(net)
    assert np.array_equal(restored // DAY_MS, time_ms[tradable] // DAY_MS)
    assert not np.array_equal(restored, time_ms[tradable]) and bool(np.all(restored % MINUTE_MS == 0))
    gate_net, gate_time, gate_symbol, symbols = trades["EV gate"]
    assert np.array_equal(entry_times_ms("EV gate", gate_time), time_ms[selected & tradable])
    assert gate_symbol is not None and gate_symbol.dtype == np.int16 and symbols == rows.symbols
    assert np.array_equal(gate_symbol, rows.symbol[selected & tradable])
    label = np.full(len(gate_net), "p")
    candidate = Trades(gate_net, entry_times_ms("EV gate", gate_time), label)
    costing = Costing(0.25, maker_entry=False, slippage_pct=0.02)
    full = Trades(net[tradable], time_ms[tradable], np.full(int(tradable.sum()), ""))
    compact = Trades(stored_net, restored, np.full(len(stored_net), ""))
    figures = trust_figures(candidate, compact, costing, seed=3)
    assert figures == trust_figures(candidate, full, costing, seed=3)
