"""Counters the simulator keeps: orders by outcome, maker vs taker fills, fees paid, fill rates."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from domain.enum_constants import CANCELED, FILLED
from domain.orders import OrderStatus, OrderType

ZERO = Decimal(0)
_NAMES = {t: t.value for t in OrderType}  # a dict lookup: `.value` is a slow property on every order


@dataclass(frozen=True, slots=True)
class SimulatorStats:
    """A snapshot. `placed`/`filled` are keyed by order type; OCO legs count apart (`oco_*`), so the fill
    rate of maker entries is not mixed with that of maker take-profit legs."""

    orders_placed: int = 0
    orders_rejected: int = 0
    orders_filled: int = 0
    orders_partially_filled: int = 0  # ended CANCELED or EXPIRED after some execution
    orders_canceled: int = 0
    orders_expired: int = 0
    maker_fills: int = 0
    taker_fills: int = 0
    maker_quote_volume: Decimal = ZERO
    taker_quote_volume: Decimal = ZERO
    fees_paid: Mapping[str, Decimal] = field(default_factory=dict)
    placed: Mapping[str, int] = field(default_factory=dict)
    filled: Mapping[str, int] = field(default_factory=dict)
    oco_placed: Mapping[str, int] = field(default_factory=dict)
    oco_filled: Mapping[str, int] = field(default_factory=dict)
    latency_ms_total: int = 0
    delayed_actions: int = 0

    def fill_rate(self, order_type: OrderType, *, oco_leg: bool = False) -> float:
        """Share of the orders of this type placed that ended FILLED (NaN when none was placed)."""
        placed = (self.oco_placed if oco_leg else self.placed).get(order_type.value, 0)
        filled = (self.oco_filled if oco_leg else self.filled).get(order_type.value, 0)
        return filled / placed if placed else float("nan")

    @property
    def maker_share(self) -> float:
        fills = self.maker_fills + self.taker_fills
        return self.maker_fills / fills if fills else float("nan")

    @property
    def mean_latency_ms(self) -> float:
        return self.latency_ms_total / self.delayed_actions if self.delayed_actions else 0.0


class StatsRecorder:
    """Mutable counters behind `SimulatorStats`: plain ints and dicts (a Counter is a dict subclass, so
    each `+= 1` on it misses the interpreter's dict fast paths; every order action counts something)."""

    def __init__(self) -> None:
        self._placed_count = self._rejected = self._filled_count = self._partial = 0
        self._canceled = self._expired = self._maker_fills = self._taker_fills = 0
        self._delayed = self._latency_ms = 0
        self._placed: dict[str, int] = {}
        self._filled: dict[str, int] = {}
        self._oco_placed: dict[str, int] = {}
        self._oco_filled: dict[str, int] = {}
        self._fees: dict[str, Decimal] = {}
        self._volume = {True: ZERO, False: ZERO}

    def placed(self, order_type: OrderType, *, oco_leg: bool) -> None:
        self._placed_count += 1
        by_type, name = (self._oco_placed if oco_leg else self._placed), _NAMES[order_type]
        by_type[name] = by_type.get(name, 0) + 1

    def rejected(self) -> None:
        self._rejected += 1

    def fill(self, *, maker: bool, quote: Decimal, commission: Decimal, asset: str) -> None:
        if maker:
            self._maker_fills += 1
        else:
            self._taker_fills += 1
        self._volume[maker] += quote
        self._fees[asset] = self._fees.get(asset, ZERO) + commission

    def ended(self, order_type: OrderType, status: OrderStatus, executed: Decimal, *, oco_leg: bool) -> None:
        if status is FILLED:
            self._filled_count += 1
            by_type, name = (self._oco_filled if oco_leg else self._filled), _NAMES[order_type]
            by_type[name] = by_type.get(name, 0) + 1
            return
        if status is CANCELED:
            self._canceled += 1
        else:
            self._expired += 1
        if executed > 0:
            self._partial += 1

    def delayed(self, latency_ms: int) -> None:
        self._delayed += 1
        self._latency_ms += latency_ms

    def snapshot(self) -> SimulatorStats:
        return SimulatorStats(
            orders_placed=self._placed_count, orders_rejected=self._rejected,
            orders_filled=self._filled_count, orders_partially_filled=self._partial,
            orders_canceled=self._canceled, orders_expired=self._expired,
            maker_fills=self._maker_fills, taker_fills=self._taker_fills,
            maker_quote_volume=self._volume[True], taker_quote_volume=self._volume[False],
            fees_paid=dict(self._fees), placed=dict(self._placed), filled=dict(self._filled),
            oco_placed=dict(self._oco_placed), oco_filled=dict(self._oco_filled),
            latency_ms_total=self._latency_ms, delayed_actions=self._delayed)
