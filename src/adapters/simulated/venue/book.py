"""The order book the venue shows, synthesised from the bar in progress (klines hold no book).

The best bid is the current path price rounded down to the tick and the best ask one tick above
(the tightest spread Binance allows: typical of liquid pairs, optimistic for thin ones). Each level
holds about two seconds of the bar's volume, growing by a quarter per level away from the top. The
update id is the simulated time in ms, shared by depth snapshots and bookTicker and always increasing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from adapters.simulated.venue.tape import SymbolTape
from domain.rules import SymbolRules

Level = tuple[float, float]


@dataclass(frozen=True, slots=True)
class SyntheticBook:
    update_id: int
    bids: tuple[Level, ...]  # best (highest) first
    asks: tuple[Level, ...]  # best (lowest) first

    def as_json(self) -> dict[str, object]:
        """`{"lastUpdateId", "bids", "asks"}`: REST /api/v3/depth and the depth<N> stream payload."""
        return {"lastUpdateId": self.update_id,
                "bids": [[f"{p:.8f}", f"{q:.8f}"] for p, q in self.bids],
                "asks": [[f"{p:.8f}", f"{q:.8f}"] for p, q in self.asks]}


def synthetic_book(tape: SymbolTape, rules: SymbolRules, t_ms: int, levels: int) -> SyntheticBook | None:
    price = tape.last_price(t_ms)
    if price is None:
        return None
    tick = float(rules.tick_size) or price * 1e-6
    step = float(rules.step_size) or 1e-8
    bid_ticks = max(1, math.floor(price / tick + 1e-6))  # prices sit on the grid: absorb float error
    bar = tape.bar_at(t_ms)
    index = bar.index if bar is not None else tape.closed_count(t_ms) - 1
    per_level = max(step, math.floor(float(tape.volume[index]) / 30 / step) * step)
    bids = tuple((round((bid_ticks - k) * tick, 8), round(per_level * (1 + k / 4), 8))
                 for k in range(levels) if bid_ticks - k > 0)
    asks = tuple((round((bid_ticks + 1 + k) * tick, 8), round(per_level * (1 + k / 4), 8))
                 for k in range(levels))
    return SyntheticBook(t_ms, bids, asks)
