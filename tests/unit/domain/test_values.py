"""Candle, Trade, Ticker and BookTop validation: the one-chain checks accept exactly what the field-by-field
rules do."""

from __future__ import annotations

import itertools
import math

import pytest

from domain.values import BookTop, Candle, CorruptMarketData, Ticker, Trade

ODD = (math.nan, math.inf, -math.inf, 0.0, -1.0, 1.0, 2.0, 3.0)


def sound_by_the_rules(o: float, h: float, low: float, c: float, v: float) -> bool:
    prices_ok = all(math.isfinite(p) and p > 0 for p in (o, h, low, c))
    volume_ok = math.isfinite(v) and v >= 0
    return prices_ok and volume_ok and h >= max(o, c) and low <= min(o, c)


@pytest.mark.parametrize("volume", [0.0, 5.0, math.nan, math.inf, -1.0])
def test_every_combination_is_accepted_or_refused_as_the_rules_say(volume: float) -> None:
    for o, h, low, c in itertools.product(ODD, repeat=4):
        expected = sound_by_the_rules(o, h, low, c, volume)
        try:
            Candle("BTCUSDT", 0, o, h, low, c, volume)
        except CorruptMarketData:
            accepted = False
        else:
            accepted = True
        assert accepted == expected, (o, h, low, c, volume)


def test_a_refused_bar_still_names_what_was_wrong() -> None:
    with pytest.raises(CorruptMarketData, match="open must be a finite positive price"):
        Candle("BTCUSDT", 0, math.nan, 2.0, 1.0, 1.5, 1.0)
    with pytest.raises(CorruptMarketData, match="volume must be a finite non-negative amount"):
        Candle("BTCUSDT", 0, 1.5, 2.0, 1.0, 1.5, -1.0)
    with pytest.raises(CorruptMarketData, match="high/low do not contain open/close"):
        Candle("BTCUSDT", 60_000, 2.5, 2.0, 1.0, 1.5, 1.0)


def test_a_trade_is_accepted_or_refused_as_the_rules_say() -> None:
    for price, quantity in itertools.product(ODD, repeat=2):
        expected = math.isfinite(price) and price > 0 and math.isfinite(quantity) and quantity >= 0
        try:
            Trade("BTCUSDT", price, quantity, 0, buyer_is_maker=False)
        except CorruptMarketData as refused:
            assert ("price" if not (math.isfinite(price) and price > 0) else "quantity") in str(refused)
            accepted = False
        else:
            accepted = True
        assert accepted == expected, (price, quantity)


def _price_ok(value: float) -> bool:
    return math.isfinite(value) and value > 0


def _amount_ok(value: float) -> bool:
    return math.isfinite(value) and value >= 0


def _accepted(cls: type, *args: object) -> bool:
    try:
        cls("X", *args)
    except CorruptMarketData:
        return False
    return True


def test_a_ticker_and_a_book_top_are_accepted_or_refused_as_the_rules_say() -> None:
    few = (math.nan, math.inf, 0.0, -1.0, 2.0)
    for a, b, c in itertools.product(few, repeat=3):
        ok = _price_ok(a) and _price_ok(b) and _amount_ok(c)
        assert _accepted(Ticker, 0, a, b, 2.0, 2.0, c, 1.0) == ok, (a, b, c)
        assert _accepted(Ticker, 0, 2.0, 2.0, a, b, 1.0, c) == ok, (a, b, c)
        assert _accepted(BookTop, a, c, b, 1.0) == ok, (a, b, c)
        assert _accepted(BookTop, a, 1.0, b, c) == ok, (a, b, c)
