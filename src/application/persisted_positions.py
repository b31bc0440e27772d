"""The open positions, written through to the state store: what ManagePositions holds is what a restart
finds (issue 14). A change of the highest price seen (the trailing stop's) alone is not written: it moves on
every tick of a rising market and a restart only loses a trailing level, never a position or its OCO.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from dataclasses import replace

from domain.position import Position
from ports.state_store import StateStore


def _durable_part(position: Position) -> Position:
    return replace(position, highest_price=0.0, trailing_stop_price=None)


class PersistedPositions(MutableMapping[str, Position]):
    def __init__(self, store: StateStore) -> None:
        self._store = store
        self._positions: dict[str, Position] = {}

    def __getitem__(self, symbol: str) -> Position:
        return self._positions[symbol]

    def __setitem__(self, symbol: str, position: Position) -> None:
        before = self._positions.get(symbol)
        self._positions[symbol] = position
        if before is None or _durable_part(before) != _durable_part(position):
            self._store.save_position(position)

    def __delitem__(self, symbol: str) -> None:
        del self._positions[symbol]
        self._store.drop_position(symbol)

    def __iter__(self) -> Iterator[str]:
        return iter(self._positions)

    def __len__(self) -> int:
        return len(self._positions)
