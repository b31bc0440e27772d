"""The venue's shared state, reachable from every route as `app[VENUE_STATE]`.

The trading side (venue/trading.py, venue/ws_api.py, registered through `extra_setup`) reads the same
clock, rules and market: `state.clock` (VenueClock, a ports.clock.Clock), `state.rules[symbol]`
(SymbolRules), `state.tapes[symbol].bar_at(t)` / `.last_price(t)`, `state.book(symbol, levels)` for the
synthetic book the market streams show, `state.weights` for X-MBX-USED-WEIGHT-1M, `state.faults`.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from aiohttp import web

from adapters.simulated.symbol_rules import default_rules_for
from adapters.simulated.venue.book import SyntheticBook, synthetic_book
from adapters.simulated.venue.data import VenueData
from adapters.simulated.venue.faults import Faults
from adapters.simulated.venue.sim_clock import VenueClock
from adapters.simulated.venue.tape import SymbolTape
from domain.rules import SymbolRules
from domain.time_units import DAY_MS


@dataclass(frozen=True, slots=True)
class VenueConfig:
    """Stream timings: `*_sec` are wall-clock seconds, `*_ms` simulated milliseconds."""

    tick_sec: float = 0.05  # how often the replay sends (caps the frame rate whatever the speed)
    ping_interval_sec: float = 20.0
    pong_timeout_sec: float = 60.0
    max_connection_age_ms: int = DAY_MS
    max_streams: int = 1024
    max_incoming_per_sec: int = 5
    kline_update_ms: int = 2000
    ticker_update_ms: int = 1000
    max_catch_up_bars: int = 60  # bars closed in one tick beyond this are skipped, as after a jump
    weight_limit_1m: int = 6000


@dataclass(slots=True)
class VenueStats:
    connections_opened: int = 0
    closed_by_server: Counter[str] = field(default_factory=Counter)
    pings_sent: int = 0
    pongs_received: int = 0
    control_messages: int = 0
    frames_sent: int = 0


class WeightCounter:
    """REQUEST_WEIGHT used per client IP in the current wall-clock minute."""

    def __init__(self, limit: int, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self._monotonic = monotonic
        self._minute = -1
        self._used: Counter[str] = Counter()

    def add(self, ip: str, weight: int) -> int:
        minute = int(self._monotonic() // 60)
        if minute != self._minute:
            self._minute, self._used = minute, Counter()
        self._used[ip] += weight
        return self._used[ip]

    def seconds_to_reset(self) -> int:
        return 60 - int(self._monotonic() % 60)


class SharedGate(Protocol):
    def __call__(self, ip: str, weight: int, headers: dict[str, str]) -> tuple[int, dict[str, Any]] | None:
        """Count `weight` for `ip` (usage headers into `headers`); (HTTP status, body) when refused."""


class VenueState:
    def __init__(self, data: VenueData, clock: VenueClock, config: VenueConfig,
                 rules: Mapping[str, SymbolRules] | None = None) -> None:
        self.data = data
        self.clock = clock
        self.config = config
        self.tapes = {symbol: SymbolTape(symbol, k) for symbol, k in data.bars.items()}
        now = clock.now_ms()
        self.rules: dict[str, SymbolRules] = dict(rules or {})
        for symbol, tape in self.tapes.items():
            if symbol not in self.rules:
                self.rules[symbol] = default_rules_for(symbol, tape.last_price(now) or float(tape.close[0]))
            tape.tick = float(self.rules[symbol].tick_size)
        self.faults = Faults()
        self.stats = VenueStats()
        self.weights = WeightCounter(config.weight_limit_1m)
        # Set by the trading side: one REQUEST_WEIGHT budget (and ban) per IP for market and signed routes.
        self.shared_gate: SharedGate | None = None

    def book(self, symbol: str, levels: int, time_ms: int | None = None) -> SyntheticBook | None:
        """The synthetic book of `symbol` now (or at `time_ms`), None before its first bar."""
        t = self.clock.now_ms() if time_ms is None else time_ms
        tape = self.tapes[symbol]
        return synthetic_book(tape, self.rules[symbol], t, levels)


VENUE_STATE = web.AppKey("venue_state", VenueState)
