"""The research kernel values dust as a replay does (application/backtest/grid_prices.py): each lot at its
symbol's last close at or before the minute replayed, else at the price it was left at; summed in the
dust ledger's order (a lot taken and added again goes last)."""

from __future__ import annotations

import math

import numpy as np

from adapters.kernels.research_cache import fresh_kernel_cache

fresh_kernel_cache()  # before the kernel modules load their cached code

from adapters.kernels.research_buy import set_dust  # noqa: E402
from adapters.kernels.research_state import (  # noqa: E402
    ACC_F,
    ACC_I,
    ALL_DUST_COST,
    ALL_DUST_VALUE,
    MARKET,
    MARKET_T,
    MINUTE,
    POS_F,
    POS_I,
    market_close,
    value_dust,
)

NAN = math.nan


def _state(symbols: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    pos_f, pos_i = np.zeros((symbols, POS_F)), np.zeros((symbols, POS_I), dtype=np.int64)
    pos_f[:, MARKET], pos_i[:, MARKET_T] = NAN, -1
    return pos_f, pos_i, np.zeros(ACC_F), np.zeros(ACC_I, dtype=np.int64), np.zeros(symbols + 1, np.int64)


def _closes(by_symbol: list[list[float]]) -> np.ndarray:
    """The grid's (minutes, symbols) closes from each symbol's closes (NaN: no bar)."""
    return np.ascontiguousarray(np.array(by_symbol, dtype=np.float64).T)


def test_a_symbols_price_is_its_last_close_at_or_before_the_minute() -> None:
    closes = _closes([[1.0, NAN, NAN, 4.0, NAN], [NAN, NAN, 2.0, NAN, NAN]])
    pos_f, pos_i, *_ = _state(2)
    assert [market_close(0, t, closes, pos_f, pos_i) for t in range(5)] == [1.0, 1.0, 1.0, 4.0, 4.0]
    assert math.isnan(market_close(1, 1, closes, pos_f, pos_i))
    assert market_close(1, 4, closes, pos_f, pos_i) == 2.0  # a jump over minutes reads back to the close


def test_dust_is_worth_the_market_close_of_the_minute_else_the_price_it_was_left_at() -> None:
    closes = _closes([[3.0, 5.0, NAN, NAN], [NAN, NAN, 2.0, NAN]])
    pos_f, pos_i, acc_f, acc_i, dusty = _state(2)
    acc_i[MINUTE] = 1
    set_dust(1, 50_000_000, 10.0, 0.01, 7.0, closes, pos_f, pos_i, acc_f, acc_i, dusty)  # 0.5 units
    assert acc_f[ALL_DUST_VALUE] == 0.5 * 7.0  # no close of symbol 1 yet
    assert acc_f[ALL_DUST_COST] == 0.5 * 10.0 + 0.01
    set_dust(0, 100_000_000, 4.0, 0.0, 4.0, closes, pos_f, pos_i, acc_f, acc_i, dusty)
    assert acc_f[ALL_DUST_VALUE] == 0.5 * 7.0 + 5.0  # symbol 0 at minute 1's close, not its left price
    acc_i[MINUTE] = 3
    value_dust(closes, pos_f, pos_i, acc_f, acc_i, dusty)
    assert acc_f[ALL_DUST_VALUE] == 0.5 * 2.0 + 5.0  # the gaps keep each symbol's earlier close


def test_a_lot_taken_and_left_again_goes_last_and_one_taken_whole_leaves_the_ledger() -> None:
    closes = _closes([[1.0], [1.0], [1.0]])
    pos_f, pos_i, acc_f, acc_i, dusty = _state(3)
    for s in (0, 1, 2):
        set_dust(s, 1_000, 1.0, 0.0, 1.0, closes, pos_f, pos_i, acc_f, acc_i, dusty)
    set_dust(0, 2_000, 1.0, 0.0, 1.0, closes, pos_f, pos_i, acc_f, acc_i, dusty)
    assert list(dusty[1:dusty[0] + 1]) == [1, 2, 0]
    set_dust(2, 0, 0.0, 0.0, 1.0, closes, pos_f, pos_i, acc_f, acc_i, dusty)
    assert list(dusty[1:dusty[0] + 1]) == [1, 0]
    assert acc_f[ALL_DUST_VALUE] == 1_000 / 1e8 + 2_000 / 1e8  # in the order the ledger sums
