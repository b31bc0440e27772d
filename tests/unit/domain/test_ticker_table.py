"""TickerTable: columns of a ticker frame, validated at once; bad rows dropped and counted, never raised."""

from __future__ import annotations

import contextlib
import copy
import math
import pickle

import numpy as np
import pytest

from domain.market_events import TickersUpdated
from domain.ticker_table import TickerTable
from domain.values import CorruptMarketData, Ticker

T0 = 1_700_000_000_000
GOOD = Ticker("AUSDT", T0, 10.0, 9.5, 10.5, 9.0, 1_000.0, 10_000.0)


Row = tuple[str, int, float, float, float, float, float, float]


def table_of(rows: list[Row], rejected: int = 0) -> TickerTable:
    floats = ([r[k] for r in rows] for k in range(2, 8))
    return TickerTable([r[0] for r in rows], [r[1] for r in rows], *floats, rejected=rejected)


def test_columns_hold_the_rows_and_iteration_gives_them_back_as_tickers() -> None:
    tickers = [GOOD, Ticker("BUSDT", T0 + 5, 2.0, 1.0, 3.0, 0.5, 0.0, 0.0)]
    table = TickerTable.from_tickers(tickers)
    assert table.symbols == ("AUSDT", "BUSDT") and table.rejected == 0
    assert table.event_time_ms.tolist() == [T0, T0 + 5] and table.event_time_ms.dtype == np.int64
    assert table.close.tolist() == [10.0, 2.0] and table.open.tolist() == [9.5, 1.0]
    assert table.high.tolist() == [10.5, 3.0] and table.low.tolist() == [9.0, 0.5]
    assert table.volume.tolist() == [1_000.0, 0.0] and table.quote_volume.tolist() == [10_000.0, 0.0]
    assert list(table) == tickers and list(table.rows()) == tickers
    assert len(table) == 2 and table[1] == tickers[1] and table[-1] == tickers[1] and GOOD in table
    assert table.last_event_ms == T0 + 5
    assert table[:1] == TickerTable.from_tickers(tickers[:1])
    with pytest.raises(IndexError):
        table[2]


@pytest.mark.parametrize(("column", "value"), [
    (2, math.nan), (2, 0.0), (2, -1.0), (2, math.inf), (3, 0.0), (4, -math.inf), (5, math.nan),
    (6, -0.5), (6, math.nan), (6, math.inf), (7, -1.0), (7, math.nan),
])
def test_a_corrupt_value_drops_its_row_only_and_counts_it(column: int, value: float) -> None:
    good: Row = ("AUSDT", T0, 10.0, 9.5, 10.5, 9.0, 1_000.0, 10_000.0)
    values = [*good[2:]]
    values[column - 2] = value
    bad: Row = ("BUSDT", T0, *values)  # type: ignore[assignment]
    table = table_of([good, bad, ("AUSDT", T0 + 1, *good[2:])], rejected=2)
    assert table.symbols == ("AUSDT", "AUSDT")
    assert table.event_time_ms.tolist() == [T0, T0 + 1]
    assert table.rejected == 3  # the two the parser had already refused, and this one


def test_a_frame_of_only_bad_rows_is_empty_not_an_error() -> None:
    rows: list[Row] = [("AUSDT", T0, math.nan, 1.0, 1.0, 1.0, 1.0, 1.0),
                       ("BUSDT", T0, 1.0, 1.0, 1.0, 1.0, -1.0, 1.0)]
    table = table_of(rows)
    assert len(table) == 0 and table.rejected == 2 and table.last_event_ms is None and list(table) == []
    assert TickerTable.empty().last_event_ms is None and len(TickerTable.empty(rejected=4)) == 0


def test_the_table_keeps_exactly_the_rows_a_ticker_accepts() -> None:
    """The table's vectorised check and Ticker's own check are the same rules: every row the table
    keeps builds a Ticker, every row it drops is one Ticker refuses."""
    rng = np.random.default_rng(11)
    specials = np.array([math.nan, math.inf, -math.inf, 0.0, -0.0, -1e-12, 1e-12, 5.0, 1e308])
    values = rng.choice(specials, size=(400, 6), p=[0.03, 0.03, 0.03, 0.04, 0.03, 0.03, 0.11, 0.65, 0.05])
    rows: list[Row] = [(f"S{i}", T0 + i, *v) for i, v in enumerate(values.tolist())]
    table = table_of(rows)
    accepted = []
    for row in rows:
        with contextlib.suppress(CorruptMarketData):
            accepted.append(Ticker(*row))
    assert 0 < len(accepted) < len(rows)
    assert list(table) == accepted and table.rejected == len(rows) - len(accepted)


def test_columns_of_unequal_lengths_are_a_programming_error() -> None:
    with pytest.raises(ValueError, match="ticker table"):
        TickerTable(("AUSDT", "BUSDT"), [T0, T0], [1.0], [1.0], [1.0], [1.0], [1.0], [1.0])
    with pytest.raises(ValueError, match="ticker table"):
        TickerTable(("AUSDT",), [T0, T0], [1.0], [1.0], [1.0], [1.0], [1.0], [1.0])


def test_a_table_is_an_immutable_value() -> None:
    close = np.array([10.0])
    table = TickerTable(("AUSDT",), [T0], close, [9.5], [10.5], [9.0], [1.0], [1.0])
    close[0] = 99.0  # the caller's array is not the table's
    assert table.close[0] == 10.0
    with pytest.raises(ValueError, match="read-only"):
        table.close[0] = 1.0
    with pytest.raises(ValueError, match="read-only"):
        table.event_time_ms[0] = 1
    with pytest.raises(AttributeError, match="immutable"):
        table.rejected = 3
    twin = TickerTable.from_tickers([Ticker("AUSDT", T0, 10.0, 9.5, 10.5, 9.0, 1.0, 1.0)])
    assert table == twin and hash(table) == hash(twin) and table != TickerTable.empty()
    assert "AUSDT" in repr(table)
    list(table)  # the rows built once and kept must not get in the way of copies
    assert pickle.loads(pickle.dumps(table)) == table == copy.deepcopy(table) == copy.copy(table)


def test_tickers_updated_takes_a_table_or_any_iterable_of_tickers() -> None:
    other = Ticker("BUSDT", T0, 2.0, 1.0, 3.0, 0.5, 0.0, 0.0)
    from_tuple = TickersUpdated((GOOD, other), T0)
    from_generator = TickersUpdated((t for t in (GOOD, other)), T0)
    from_table = TickersUpdated(TickerTable.from_tickers([GOOD, other]), T0)
    assert isinstance(from_tuple.tickers, TickerTable)
    assert from_tuple == from_generator == from_table and hash(from_tuple) == hash(from_table)
    assert [t.symbol for t in from_tuple.tickers] == ["AUSDT", "BUSDT"] and from_tuple.tickers[0] == GOOD
    match from_table:
        case TickersUpdated(tickers=tickers, time_ms=time_ms):
            assert list(tickers) == [GOOD, other] and time_ms == T0
    table = from_table.tickers
    assert list(table) is not list(table) and next(iter(table)) is next(iter(table))  # built once, shared


def narrow_of(rows: list[Row]) -> TickerTable:
    return TickerTable([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows], None,
                       [r[4] for r in rows], [r[5] for r in rows], None, [r[7] for r in rows])


def test_a_narrow_table_leaves_open_and_volume_out_and_checks_only_what_it_carries() -> None:
    good: Row = ("AUSDT", T0, 10.0, math.nan, 10.5, 9.0, math.nan, 10_000.0)
    rows: list[Row] = [good, ("BUSDT", T0 + 1, 2.0, 1.0, 0.0, 0.5, 1.0, 5.0),  # a zero high: dropped
                       ("CUSDT", T0 + 2, 2.0, 1.0, 3.0, 0.5, 1.0, 0.0)]  # a zero quote volume is valid
    table = narrow_of(rows)
    assert table.narrow and table.symbols == ("AUSDT", "CUSDT") and table.rejected == 1
    assert table.close.tolist() == [10.0, 2.0] and table.quote_volume.tolist() == [10_000.0, 0.0]
    assert np.isnan(table.open).all() and np.isnan(table.volume).all()
    assert table[0:2] == narrow_of([good, rows[2]])  # NaN columns compare equal; a slice has rejected 0
    assert table != table_of([("AUSDT", T0, 10.0, 9.5, 10.5, 9.0, 1.0, 10_000.0), rows[2]])
    for same in (pickle.loads(pickle.dumps(table)), copy.copy(table)):
        assert same == table
        assert same.narrow and same.symbols == table.symbols
    assert table[1:].symbols == ("CUSDT",) and table[1:].narrow
    assert "narrow" in repr(table) and hash(table[0:2]) == hash(narrow_of([good, rows[2]]))


@pytest.mark.parametrize("bad", [math.nan, math.inf, 0.0, -1.0])
def test_a_narrow_table_from_lists_and_from_arrays_agree_whatever_the_values(bad: float) -> None:
    """Lists of valid rows take the fast path (built-in checks); arrays, or any bad value, the general
    one: the same table either way."""
    rows: list[Row] = [("AUSDT", T0, 10.0, math.nan, 10.5, 9.0, math.nan, 10_000.0),
                       ("BUSDT", T0 + 7, 2.0, math.nan, 3.0, 0.5, math.nan, 0.0)]
    lists = narrow_of(rows)

    def col(k: int) -> np.ndarray:  # type: ignore[type-arg]
        return np.array([r[k] for r in rows])

    arrays = TickerTable([r[0] for r in rows], col(1), col(2), None, col(4), col(5), None, col(7))
    assert lists == arrays and lists.last_event_ms == arrays.last_event_ms == T0 + 7
    assert not lists.values.flags.writeable and not lists.event_time_ms.flags.writeable
    spoiled = narrow_of([rows[0], (*rows[1][:4], bad, *rows[1][5:])])  # a bad high
    assert spoiled.symbols == ("AUSDT",) and spoiled.rejected == 1
