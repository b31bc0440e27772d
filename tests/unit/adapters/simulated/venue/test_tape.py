"""The tape: bars read at any instant (the walk inside a bar, closed bars, the 24 h window) and the book."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest

from adapters.simulated.symbol_rules import default_rules_for
from adapters.simulated.venue.book import synthetic_book
from adapters.simulated.venue.data import VenueData
from adapters.simulated.venue.tape import SymbolTape
from domain.features import KlineArrays
from domain.time_units import DAY_MS, MINUTE_MS


@pytest.fixture
def tape(venue_data: VenueData) -> SymbolTape:
    return SymbolTape("BTCUSDT", venue_data.bars["BTCUSDT"])


def test_a_bar_in_progress_stays_inside_the_recorded_bar_and_ends_on_it(tape: SymbolTape) -> None:
    for i in (10, 500, 1500):
        start = int(tape.open_time[i])
        found = [tape.bar_at(start + ms) for ms in range(0, MINUTE_MS, 2_000)]
        views = [v for v in found if v is not None and v.index == i and not v.closed]
        assert len(views) == len(found)
        assert views[0].open == views[0].close == tape.open[i]
        for earlier, later in pairwise(views):
            assert later.volume >= earlier.volume and later.high >= earlier.high and later.low <= earlier.low
        assert all(tape.low[i] <= v.low <= v.close <= v.high <= tape.high[i] for v in views)
        last = tape.bar_at(start + MINUTE_MS - 1)
        assert last is not None and last.close == pytest.approx(tape.close[i], rel=1e-4)
        full = tape.closed_bar(i)
        assert full.closed
        assert (full.high, full.low, full.volume) == (tape.high[i], tape.low[i], tape.volume[i])


def test_closed_count_and_gaps() -> None:
    times = np.array([0, 60_000, 180_000], dtype=np.int64)  # 120_000 missing
    ones = np.ones(3)
    tape = SymbolTape("X", KlineArrays(times, ones, ones * 2, ones / 2, ones, ones))
    assert [tape.closed_count(t) for t in (0, 59_999, 60_000, 200_000, 240_000)] == [0, 0, 1, 2, 3]
    assert tape.bar_at(130_000) is None and tape.last_price(130_000) == 1.0
    assert tape.bar_at(-1) is None and tape.last_price(-1) is None
    assert tape.bar_at(190_000) is not None


def test_the_24h_window_matches_a_brute_force_sum(tape: SymbolTape) -> None:
    now = int(tape.open_time[1700]) + 30_000  # half-way through bar 1700
    window = tape.window(now)
    assert window is not None
    inside = (tape.open_time >= now - DAY_MS) & (tape.open_time + MINUTE_MS <= now)
    partial = tape.bar_at(now)
    assert partial is not None
    assert window.volume == pytest.approx(tape.volume[inside].sum() + partial.volume, rel=1e-9)
    assert window.high == max(tape.high[inside].max(), partial.high)
    assert window.low == min(tape.low[inside].min(), partial.low)
    assert window.close == partial.close and window.open == tape.open[inside][0]


def test_the_synthetic_book_sits_on_the_tick_grid_around_the_price(tape: SymbolTape) -> None:
    now = int(tape.open_time[900]) + 20_000
    rules = default_rules_for("BTCUSDT", float(tape.close[0]))
    tape.tick = float(rules.tick_size)
    book = synthetic_book(tape, rules, now, 20)
    assert book is not None and len(book.bids) == len(book.asks) == 20
    price = tape.last_price(now)
    assert price is not None and book.bids[0][0] <= price < book.asks[0][0]
    tick = float(rules.tick_size)
    assert book.asks[0][0] - book.bids[0][0] == pytest.approx(tick)
    assert [p for p, _ in book.bids] == sorted((p for p, _ in book.bids), reverse=True)
    assert all(q > 0 for _, q in book.bids + book.asks) and book.update_id == now
