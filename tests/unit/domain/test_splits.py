from __future__ import annotations

import itertools

import pytest

from domain.splits import (
    TimeRange,
    TimeSplit,
    purge_gap_ms,
    time_split,
    time_split_at,
    walk_forward,
)

MINUTE = 60_000
GAP = purge_gap_ms(3, MINUTE)


def minutes(n: int, symbols: int = 1) -> list[int]:
    """Sorted open times of n minutes for `symbols` pairs (each minute repeated once per pair)."""
    return sorted(t * MINUTE for t in range(n) for _ in range(symbols))


def assert_ordered_with_gap(split: TimeSplit) -> None:
    train, val, test = split.train, split.validation, split.test
    assert not train.overlaps(val) and not val.overlaps(test) and not train.overlaps(test)
    assert train.end_ms <= val.start_ms - split.gap_ms
    assert val.end_ms <= test.start_ms - split.gap_ms


def test_gap_is_the_label_horizon() -> None:
    assert purge_gap_ms(3, MINUTE) == 180_000
    with pytest.raises(ValueError):
        purge_gap_ms(3, 0)


def test_time_split_is_time_ordered_with_gap_and_covers_latest_rows() -> None:
    times = minutes(10_000, symbols=3)
    split = time_split(times, validation_fraction=0.17, test_fraction=0.17, gap_ms=GAP)
    assert_ordered_with_gap(split)
    assert split.train.start_ms == times[0]
    assert split.test.contains(times[-1])
    # about 66 / 17 / 17 of the rows
    in_test = sum(split.test.contains(t) for t in times)
    assert abs(in_test / len(times) - 0.17) < 0.01


def test_no_row_is_in_two_parts_and_gap_rows_are_dropped() -> None:
    times = minutes(2_000)
    split = time_split(times, gap_ms=GAP)
    parts = split.parts().values()
    for t in times:
        assert sum(p.contains(t) for p in parts) <= 1
    dropped = [t for t in times if not any(p.contains(t) for p in parts)]
    assert len(dropped) == 2 * (GAP // MINUTE)
    # every training label (reading 3 bars ahead) stays before validation starts
    last_train = max(t for t in times if split.train.contains(t))
    assert last_train + GAP < split.validation.start_ms


def test_split_refuses_overlap_or_missing_gap() -> None:
    with pytest.raises(ValueError):
        TimeSplit(train=TimeRange(0, 100), validation=TimeRange(150, 300), test=TimeRange(400, 500),
                  gap_ms=60)
    with pytest.raises(ValueError):
        TimeRange(10, 5)


def test_too_short_data_is_refused() -> None:
    with pytest.raises(ValueError, match="too short"):
        time_split(minutes(10), gap_ms=GAP)
    with pytest.raises(ValueError):
        time_split([], gap_ms=GAP)


def test_walk_forward_folds_expand_and_the_last_is_the_single_split() -> None:
    times = minutes(20_000)
    folds = walk_forward(times, 3, validation_fraction=0.15, test_fraction=0.15, gap_ms=GAP)
    assert len(folds) == 3
    for fold in folds:
        assert_ordered_with_gap(fold)
        assert fold.train.start_ms == times[0]
    for earlier, later in itertools.pairwise(folds):
        assert later.test.start_ms >= earlier.test.end_ms - MINUTE  # test blocks follow each other
        assert later.train.end_ms > earlier.train.end_ms  # expanding training window
        assert not earlier.test.overlaps(later.test)
    single = time_split(times, validation_fraction=0.15, test_fraction=0.15, gap_ms=GAP)
    assert folds[-1] == single


def test_walk_forward_refuses_too_many_folds() -> None:
    with pytest.raises(ValueError, match="folds"):
        walk_forward(minutes(1000), 6, validation_fraction=0.17, test_fraction=0.17, gap_ms=GAP)


def test_split_at_explicit_instants() -> None:
    times = minutes(1000)
    split = time_split_at(times, 500 * MINUTE, 800 * MINUTE, gap_ms=GAP)
    assert_ordered_with_gap(split)
    assert split.validation.start_ms == 500 * MINUTE and split.test.start_ms == 800 * MINUTE
    assert split.train.end_ms == 500 * MINUTE - GAP
    with pytest.raises(ValueError, match="out of order"):
        time_split_at(times, 800 * MINUTE, 500 * MINUTE, gap_ms=GAP)
