"""The values the entry path builds each signal minute use fast_frozen_init: the same objects as the
dataclass's own __init__ (a twin without the fast init, built from the same fields, is the reference)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from application.backtest.stand_ins import PlannedCandidate
from application.protect_entry import ClosedAtOnce, EntryPending, NotOpened, Opened
from application.protection import ProtectionPlan
from domain.risk_values import Approved, Rejected, TradeIntent
from domain.signal import Prediction, TradeSignal

HOT = [Prediction, TradeSignal, TradeIntent, Approved, Rejected, ProtectionPlan, Opened, NotOpened,
       ClosedAtOnce, EntryPending, PlannedCandidate]


def _plain_twin(cls: type) -> type:
    fields = [(f.name, f.type, f) for f in dataclasses.fields(cls)]
    return dataclasses.make_dataclass(f"Plain{cls.__name__}", fields, frozen=True, slots=True)


def _values(obj: object) -> tuple[Any, ...]:
    return tuple(getattr(obj, f.name) for f in dataclasses.fields(obj))  # type: ignore[arg-type]


@pytest.mark.parametrize("cls", HOT, ids=lambda c: c.__name__)
def test_the_direct_slot_init_keeps_every_value_and_default(cls: type) -> None:
    assert "_s_" in " ".join(cls.__init__.__code__.co_freevars)  # the fast init is the one in place
    fields = dataclasses.fields(cls)
    required = [f"v{i}" for i, f in enumerate(fields) if f.default is dataclasses.MISSING]
    twin = _plain_twin(cls)
    assert repr(_values(cls(*required))) == repr(_values(twin(*required)))  # defaults included
    every = [f"v{i}" for i in range(len(fields))]
    built = cls(*every)
    assert _values(built) == tuple(every)
    assert built == cls(**{f.name: v for f, v in zip(fields, every, strict=True)})
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(built, fields[0].name, "other")  # still frozen


def test_a_signal_keeps_its_reasoning_and_derived_values() -> None:
    p = Prediction("ETHUSDT", 0.7, 0.6, 0.4, 1_000, 0.12)
    signal = TradeSignal("ETHUSDT", 0.5, 100.0, 99.0, 101.0, 0.1, 1_000, "why", p)
    assert signal.stop_distance_pct == pytest.approx(0.01)
    assert (signal.reasoning, signal.prediction.expected_net_return_pct) == ("why", 0.12)
