"""domain.research_core.ResearchCore on the numba kernel (research_numba.replay): settings to number arrays,
the grid's filters to exact tick and step units, the kernel's trade rows to CoreTrades.

The first call in a process loads the compiled kernel from numba's disk cache (or compiles it, ~10 s);
research_cache.py drops that cache when any of the kernel's source files changed.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np

from adapters.kernels.research_cache import fresh_kernel_cache
from adapters.kernels.research_state import FP, IP
from domain.research_core import CoreCells, CoreGrid, CoreSettings, CoreTrades, cell_starts


def _fraction(rate: float) -> tuple[int, int]:
    """The rate as the exact fraction the simulator's Decimal uses (0.00075 = 3/4000)."""
    num, den = Decimal(str(rate)).as_integer_ratio()
    return num, den


def float_settings(st: CoreSettings) -> np.ndarray:
    return np.array([st.take_profit_pct, st.stop_loss_pct, st.trailing_activation_pct,
                     st.trailing_distance_pct, st.slippage, st.initial_capital, st.max_position_pct,
                     st.min_position_usdt, st.max_loss_per_trade_pct, st.max_daily_loss_pct,
                     st.max_drawdown_pct, st.entry_fill_band_pct, st.taker_fee, st.maker_fee],
                    dtype=np.float64)


def int_settings(st: CoreSettings) -> np.ndarray:
    entry_num, entry_den = _fraction(st.taker_fee if st.entry_fee is None else st.entry_fee)
    return np.array([st.timeout_ms, st.min_hold_ms, int(st.maker_take_profit), st.latency_ms,
                     st.max_open_positions, st.max_trades_per_hour, st.max_trades_per_day, st.cooldown_ms,
                     st.top_candidates, st.max_symbols_active, st.poll_interval_ms, st.bar_grace_ms,
                     entry_num, entry_den, st.bar_ms, int(st.maker_entries)], dtype=np.int64)


def _ints(a: np.ndarray) -> np.ndarray:
    return a.astype(np.int64, copy=False)


def _floats(a: np.ndarray) -> np.ndarray:
    return a.astype(np.float64, copy=False)


class NumbaResearchCore:
    """domain.research_core.ResearchCore, compiled."""

    def run(self, grid: CoreGrid, cells: CoreCells, settings: CoreSettings, first_minute: int) -> CoreTrades:
        fp, ip = float_settings(settings), int_settings(settings)
        assert len(fp) == FP and len(ip) == IP
        total = len(grid.open_ms)
        inv_tick = np.where(grid.tick < 1, np.round(1 / grid.tick), 0.0)
        step_u = np.round(grid.step * 1e8).astype(np.int64)
        signal = cells.signal & (cells.minute >= first_minute)
        starts = cell_starts(cells.minute, total)
        signalled = cells.minute[signal].astype(np.int64, copy=False)  # sorted: unique by its steps
        steps = np.r_[True, signalled[1:] != signalled[:-1]] if len(signalled) else np.zeros(0, np.bool_)
        signal_minutes = signalled[steps]
        start_ms = int(grid.open_ms[first_minute]) if first_minute < total else 0
        out_i = np.zeros((int(signal.sum()) + 1, 4), dtype=np.int64)
        out_f = np.zeros((len(out_i), 5))
        fresh_kernel_cache()
        from adapters.kernels.research_numba import replay  # after the cache check: it loads the cache

        n, killed = replay(grid.bars, grid.closes, _ints(grid.open_ms),
                           _floats(grid.tick), inv_tick, step_u, _floats(grid.min_notional),
                           _ints(cells.symbol), _floats(cells.score), signal, starts, signal_minutes, fp,
                           ip, first_minute, start_ms, out_i, out_f)
        i, f = out_i[:n], out_f[:n]
        return CoreTrades(i[:, 0].copy(), i[:, 1].copy(), i[:, 2].copy(), f[:, 0].copy(), f[:, 1].copy(),
                          f[:, 2].copy(), f[:, 3].copy(), f[:, 4].copy(), i[:, 3].copy(), bool(killed))
