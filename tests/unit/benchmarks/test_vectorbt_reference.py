"""The vectorbt reference of `scripts/bench research_core` takes the numba bar walk's decisions: on a
hand-made grid (stops, takes, timeouts, the hourly and daily entry counts, a stop and another symbol's
signal in the same minute) both give the same trades and the same summed PnL."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("vectorbt", reason='vectorbt not installed (pip install -e ".[bench]"): not checked')
sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "benchmarks"))

import vectorbt_reference
from bench_research_core import bar_walk_reference

pytestmark = pytest.mark.slow  # ~8 s CPU: importing vectorbt, compiling its engine with the signal function
MINUTES, SYMBOLS = 400, 3


def _grid() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Flat bars opening at 100 and closing at 100.02 (no bar opens beyond a stop: the engines' one known
    difference cannot arise), a signal every 7 minutes on a rotating symbol; of each three, the first
    position is taken 3 minutes in, the second stopped 2 minutes in, when the next symbol signals (it
    enters that minute), and the third times out. Over a day's end."""
    bars = np.empty((MINUTES, SYMBOLS, 4))
    bars[:] = (100.0, 100.1, 99.9, 100.02)
    signal = np.zeros((MINUTES, SYMBOLS), dtype=np.bool_)
    for minute in range(0, MINUTES - 3, 7):
        symbol = minute % SYMBOLS
        signal[minute, symbol] = True
        if minute % 21 == 0:
            bars[minute + 3, symbol, 1] = 101.0  # take profit
        elif minute % 21 == 7:
            bars[minute + 2, symbol, 2] = 99.0  # stop loss...
            signal[minute + 2, (symbol + 1) % SYMBOLS] = True  # ...and another signal that minute
    open_ms = (np.arange(MINUTES, dtype=np.int64) + 24 * 60 - 200) * 60_000
    return bars, open_ms, signal


@pytest.mark.parametrize(("per_hour", "per_day"), [(5, 100), (100, 9), (100, 100)])
def test_vectorbt_takes_the_bar_walks_trades(per_hour: int, per_day: int) -> None:
    bars, open_ms, signal = _grid()
    args = (bars, open_ms, signal, 0, 0.003, 0.003, 15, 0.001, 0.0005, per_hour, per_day)
    walk_trades, walk_pnl = bar_walk_reference(*args)
    portfolio = vectorbt_reference.run(*args)
    trades, pnl = vectorbt_reference.trades_and_pnl(portfolio)
    assert walk_trades >= 8
    assert (trades, pnl) == (walk_trades, pytest.approx(walk_pnl, abs=1e-12))
    records = portfolio.trades.records
    assert set(records["exit_idx"]) & set(records["entry_idx"])  # an entry the minute a stop hit


def test_a_bar_opening_beyond_the_stop_exits_at_its_open_in_vectorbt() -> None:
    """The one difference the benchmark explains: vectorbt fills such a stop at the open, the bar walk at
    the stop price."""
    bars, open_ms, _ = _grid()
    signal = np.zeros_like(_grid()[2])
    signal[0, 0] = True
    bars[2, 0] = (98.0, 98.5, 97.5, 98.0)  # opens 2% down, far below the stop
    args = (bars, open_ms, signal, 0, 0.003, 0.003, 15, 0.0, 0.0, 100, 100)
    assert bar_walk_reference(*args) == (1, pytest.approx(-0.003))
    assert vectorbt_reference.trades_and_pnl(vectorbt_reference.run(*args)) == (1, pytest.approx(-0.02))
