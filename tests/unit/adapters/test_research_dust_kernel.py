"""The research kernel values dust as a replay does (application/backtest/grid_prices.py): each lot at its
symbol's last close at or before the minute replayed, else at the price it was left at; summed in the
dust ledger's order (a lot taken and added again goes last)."""

from __future__ import annotations

import math

import numpy as np

from adapters.kernels.research_cache import fresh_kernel_cache

fresh_kernel_cache()  # before the kernel modules load their cached code

from adapters.kernels.research_buy import set_dust  # noqa: E402
from adapters.kernels.research_dust import market_close, value_dust  # noqa: E402
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


def _one_minute_sum(closes: np.ndarray, t: int, lots: list[tuple[int, float]]) -> float:
    value = 0.0
    for s, quantity in lots:
        value += quantity * closes[t, s]
    return value


def test_the_values_summed_ahead_are_each_minutes_sum_and_a_new_lot_makes_them_stale() -> None:
    rng = np.random.default_rng(5)
    closes = np.ascontiguousarray(rng.uniform(0.1, 90.0, (12, 3)))
    pos_f, pos_i, acc_f, acc_i, dusty = _state(3)
    set_dust(2, 12_345_678, 1.0, 0.0, 1.0, closes, pos_f, pos_i, acc_f, acc_i, dusty)
    set_dust(0, 98_765_432, 1.0, 0.0, 1.0, closes, pos_f, pos_i, acc_f, acc_i, dusty)
    lots = [(2, 12_345_678 / 1e8), (0, 98_765_432 / 1e8)]
    for t in (0, 1, 2, 3, 4, 7, 9, 10, 11):  # read ahead, skipped minutes, the grid's last minutes
        acc_i[MINUTE] = t
        value_dust(closes, pos_f, pos_i, acc_f, acc_i, dusty)
        assert acc_f[ALL_DUST_VALUE] == _one_minute_sum(closes, t, lots), t
    acc_i[MINUTE] = 5
    value_dust(closes, pos_f, pos_i, acc_f, acc_i, dusty)  # minutes 5..8 summed ahead
    set_dust(1, 55_555_555, 1.0, 0.0, 1.0, closes, pos_f, pos_i, acc_f, acc_i, dusty)
    acc_i[MINUTE] = 6
    value_dust(closes, pos_f, pos_i, acc_f, acc_i, dusty)
    assert acc_f[ALL_DUST_VALUE] == _one_minute_sum(closes, 6, [*lots, (1, 55_555_555 / 1e8)])


def test_a_gap_in_the_minutes_ahead_leaves_each_minute_to_its_own_sum() -> None:
    closes = _closes([[2.0, 3.0, NAN, 5.0, 6.0, 7.0], [1.0, 1.0, 1.0, 1.0, 1.0, 1.0]])
    pos_f, pos_i, acc_f, acc_i, dusty = _state(2)
    set_dust(0, 100_000_000, 1.0, 0.0, 9.0, closes, pos_f, pos_i, acc_f, acc_i, dusty)
    set_dust(1, 100_000_000, 1.0, 0.0, 9.0, closes, pos_f, pos_i, acc_f, acc_i, dusty)
    values = []
    for t in range(6):
        acc_i[MINUTE] = t
        value_dust(closes, pos_f, pos_i, acc_f, acc_i, dusty)
        values.append(acc_f[ALL_DUST_VALUE])
    assert values == [3.0, 4.0, 4.0, 6.0, 7.0, 8.0]  # minute 2 keeps symbol 0's close of minute 1
