"""Counters the simulator keeps: orders by outcome, maker vs taker fills, fees paid, fill rates."""

from __future__ import annotations

from collections import Counter
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
    """Mutable counters behind `SimulatorStats`."""

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()
        self._placed: Counter[str] = Counter()
        self._filled: Counter[str] = Counter()
        self._oco_placed: Counter[str] = Counter()
        self._oco_filled: Counter[str] = Counter()
        self._fees: dict[str, Decimal] = {}
        self._volume = {True: ZERO, False: ZERO}

    def placed(self, order_type: OrderType, *, oco_leg: bool) -> None:
        self._counts["placed"] += 1
        (self._oco_placed if oco_leg else self._placed)[_NAMES[order_type]] += 1

    def rejected(self) -> None:
        self._counts["rejected"] += 1

    def fill(self, *, maker: bool, quote: Decimal, commission: Decimal, asset: str) -> None:
        self._counts["maker_fills" if maker else "taker_fills"] += 1
        self._volume[maker] += quote
        self._fees[asset] = self._fees.get(asset, ZERO) + commission

    def ended(self, order_type: OrderType, status: OrderStatus, executed: Decimal, *, oco_leg: bool) -> None:
        if status is FILLED:
            self._counts["filled"] += 1
            (self._oco_filled if oco_leg else self._filled)[_NAMES[order_type]] += 1
            return
        self._counts["canceled" if status is CANCELED else "expired"] += 1
        if executed > 0:
            self._counts["partial"] += 1

    def delayed(self, latency_ms: int) -> None:
        self._counts["delayed"] += 1
        self._counts["latency_ms"] += latency_ms

    def snapshot(self) -> SimulatorStats:
        c = self._counts
        return SimulatorStats(
            orders_placed=c["placed"], orders_rejected=c["rejected"], orders_filled=c["filled"],
            orders_partially_filled=c["partial"], orders_canceled=c["canceled"], orders_expired=c["expired"],
            maker_fills=c["maker_fills"], taker_fills=c["taker_fills"],
            maker_quote_volume=self._volume[True], taker_quote_volume=self._volume[False],
            fees_paid=dict(self._fees), placed=dict(self._placed), filled=dict(self._filled),
            oco_placed=dict(self._oco_placed), oco_filled=dict(self._oco_filled),
            latency_ms_total=c["latency_ms"], delayed_actions=c["delayed"])
