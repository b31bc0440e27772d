"""A quicker `__init__` for the frozen, slotted dataclasses built by the thousand per replay (candles, order
reports, requests, fills, balances).

A frozen dataclass's own `__init__` sets each field through `object.__setattr__`, which looks the slot up
on the type every time; this one calls each slot's setter directly. Same signature, same defaults, same
`__post_init__`, same stored values: only the path to the slots is shorter (about a third less time).
Classes it cannot speak for (not frozen, no slots, init=False / kw_only fields, InitVars, default
factories) are returned unchanged.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

T = TypeVar("T")


def fast_frozen_init(cls: type[T]) -> type[T]:
    """Put the direct-slot `__init__` on `cls` (apply above `@dataclass(frozen=True, slots=True)`)."""
    fields = _plain_fields(cls)
    if fields is None:
        return cls
    names = [f.name for f in fields]
    defaults = {f.name: f.default for f in fields if f.default is not dataclasses.MISSING}
    params = [f"{n}=_d_{n}" if n in defaults else n for n in names]
    body = [f"        _s_{n}(self, {n})" for n in names]
    if hasattr(cls, "__post_init__"):
        body.append("        self.__post_init__()")
    free = [f"_s_{n}" for n in names] + [f"_d_{n}" for n in defaults]
    source = (f"def _make({', '.join(free)}):\n"
              f"    def __init__(self, {', '.join(params)}):\n" + "\n".join(body) + "\n"
              "    return __init__\n")
    namespace: dict[str, Any] = {}
    exec(source, {}, namespace)  # built from the class's own field names only
    values: dict[str, Any] = {f"_s_{n}": getattr(cls, n).__set__ for n in names}
    values.update({f"_d_{n}": value for n, value in defaults.items()})
    init = namespace["_make"](**values)
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    init.__doc__ = cls.__init__.__doc__
    setattr(cls, "__init__", init)  # noqa: B010 - mypy reads the dataclass signature, unchanged
    return cls


def _plain_fields(cls: type) -> list[dataclasses.Field[Any]] | None:
    params = getattr(cls, "__dataclass_params__", None)
    if params is None or not params.frozen or "__slots__" not in cls.__dict__:
        return None
    every = getattr(cls, "__dataclass_fields__", {})
    fields = dataclasses.fields(cls)
    if len(every) != len(fields):  # InitVar or ClassVar pseudo-fields: leave dataclasses' own init
        return None
    for f in fields:
        if not f.init or f.kw_only or f.default_factory is not dataclasses.MISSING:
            return None
    return list(fields)
