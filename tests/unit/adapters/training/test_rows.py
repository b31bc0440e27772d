"""Training rows hold each row's symbol as a small code; every reader still sees the same strings."""

from __future__ import annotations

import numpy as np

from adapters.training.rows import SymbolColumn, code_dtype


def test_symbol_codes_give_back_each_rows_string() -> None:
    symbols = np.array(["SOLUSDT", "BTCUSDT", "SOLUSDT", "ARBUSDT", "BTCUSDT"])
    column = SymbolColumn.of(symbols)
    assert column.names.tolist() == ["ARBUSDT", "BTCUSDT", "SOLUSDT"]  # sorted, unique
    assert column.codes.dtype == np.int16 and len(column) == len(symbols)
    np.testing.assert_array_equal(column[:], symbols)
    np.testing.assert_array_equal(column[np.array([4, 0])], ["BTCUSDT", "SOLUSDT"])
    np.testing.assert_array_equal(column[symbols == "SOLUSDT"], ["SOLUSDT", "SOLUSDT"])


def test_codes_widen_when_there_are_more_symbols_than_int16_numbers() -> None:
    assert code_dtype(32_767) is np.int16
    assert code_dtype(32_768) is np.int32
