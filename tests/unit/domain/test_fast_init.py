"""fast_frozen_init: the same objects as the dataclass's own __init__, or the class left as it was."""

from __future__ import annotations

import dataclasses
import math
import pickle
from dataclasses import FrozenInstanceError, InitVar, dataclass, field
from decimal import Decimal

import pytest

from domain.fast_init import fast_frozen_init
from domain.orders import Balance, Fill, OrderReport, OrderRequest, OrderStatus, OrderType
from domain.values import Candle, CorruptMarketData, Side


@dataclass(frozen=True, slots=True)
class _Plain:
    name: str
    size: Decimal
    limit: float = math.nan
    tags: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.size < 0:
            raise ValueError("negative size")


@fast_frozen_init
@dataclass(frozen=True, slots=True)
class _Fast:  # _Plain's twin
    name: str
    size: Decimal
    limit: float = math.nan
    tags: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.size < 0:
            raise ValueError("negative size")


def _state(obj: object) -> tuple[object, ...]:
    return tuple(getattr(obj, f.name) for f in dataclasses.fields(obj))  # type: ignore[arg-type]


@pytest.mark.parametrize(("args", "kwargs"), [(("a", Decimal(1)), {}), (("b", Decimal("2.50"), 1.5), {}),
                                              (("c",), {"size": Decimal(3), "tags": ("x",)})])
def test_same_fields_defaults_and_keywords_as_the_dataclass_init(args: tuple[object, ...],
                                                                  kwargs: dict[str, object]) -> None:
    plain, fast = _Plain(*args, **kwargs), _Fast(*args, **kwargs)  # type: ignore[arg-type]
    assert repr(_state(plain)) == repr(_state(fast))  # the same values, Decimal exponents and NaNs included
    assert "_s_name" in _Fast.__init__.__code__.co_freevars  # (the direct-slot init is the one in place)


def test_post_init_still_runs_and_the_object_stays_frozen() -> None:
    with pytest.raises(ValueError, match="negative size"):
        _Fast("a", Decimal(-1))
    fast = _Fast("a", Decimal(1))
    with pytest.raises(FrozenInstanceError):
        fast.name = "b"  # type: ignore[misc]
    with pytest.raises(TypeError):
        _Fast("a", Decimal(1), 1.0, (), "one too many")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        _Fast("a")  # type: ignore[call-arg]


def test_the_domain_values_keep_their_checks_equality_replace_and_pickling() -> None:
    candle = Candle("BTCUSDT", 60_000, 1.0, 2.0, 0.5, 1.5, 3.0, trades=4)
    assert candle == Candle("BTCUSDT", 60_000, 1.0, 2.0, 0.5, 1.5, 3.0, trades=4)
    assert hash(candle) == hash(dataclasses.replace(candle))
    assert dataclasses.replace(candle, close=1.0).close == 1.0 and candle.interval_ms == 60_000
    with pytest.raises(CorruptMarketData):
        Candle("BTCUSDT", 60_000, 1.0, 0.5, 2.0, 1.5, 3.0)
    with pytest.raises(ValueError, match="exactly one"):
        OrderRequest("BTCUSDT", Side.BUY, OrderType.MARKET, "c")
    fill = Fill(Decimal(1), Decimal(2), Decimal("0.1"), "BTC")
    report = OrderReport("BTCUSDT", 1, "c", Side.BUY, OrderType.MARKET, OrderStatus.FILLED, Decimal(2),
                         Decimal(2), Decimal(2), fills=(fill,))
    assert pickle.loads(pickle.dumps(report)) == report and report.price == Decimal(0)
    assert Balance("BTC", Decimal(1), Decimal(2)).total == Decimal(3)


def test_classes_it_cannot_speak_for_are_left_unchanged() -> None:
    @dataclass(frozen=True, slots=True)
    class WithFactory:
        items: list[int] = field(default_factory=list)

    @dataclass(frozen=True)
    class NoSlots:
        x: int

    @dataclass(slots=True)
    class NotFrozen:
        x: int

    @dataclass(frozen=True, slots=True)
    class WithInitVar:
        x: int
        scale: InitVar[int] = 1

    for cls in (WithFactory, NoSlots, NotFrozen, WithInitVar):
        before = cls.__init__
        assert fast_frozen_init(cls) is cls and cls.__init__ is before
