"""What trading costs in the simulator: fees, slippage, latency, and the seed of every random draw.

Defaults follow Binance spot's standard tier (binance-spot-api.md 1.10): 0.1% maker and taker, no BNB
discount. `symbol_fees` is this account's per-symbol table (zero-fee pairs, promotions): what the
simulator charges and what it answers to GET /api/v3/account/commission. Slippage applies only where
the simulator has no book to walk (klines, or beyond a bookTicker's top level); latency delays every
order action through the injected Clock.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from domain import fees
from domain.fee_table import FeeTable

BNB = "BNB"
BNB_DISCOUNT_RATE = Decimal(repr(fees.BNB_DISCOUNT_RATE))  # 0.25: domain/fees.py
_BPS = Decimal(10_000)


@dataclass(frozen=True, slots=True)
class SymbolCommission:
    """One symbol's standard rates on this account (fractions)."""

    taker: Decimal
    maker: Decimal


@dataclass(frozen=True, slots=True)
class SimulatorCosts:
    """Fee rates are fractions (0.001 = 0.1%); slippage in basis points; times in milliseconds.

    `bnb_discount`: pay commissions in BNB at 25% off when the account holds enough free BNB and a BNB
    price is known; otherwise the normal commission is taken from the received asset, as on Binance.
    `slippage_bps` (+ a seeded uniform draw in [0, `slippage_jitter_bps`]) moves a fill price against
    the trader when no book depth is known. `latency_ms` (+ a seeded draw in [0, `latency_jitter_ms`])
    passes on the clock before each order action reaches the matching engine.
    """

    taker_fee: Decimal = Decimal("0.001")
    maker_fee: Decimal = Decimal("0.001")
    bnb_discount: bool = False
    slippage_bps: Decimal = Decimal(2)
    slippage_jitter_bps: Decimal = Decimal(0)
    latency_ms: int = 150
    latency_jitter_ms: int = 0
    seed: int = 7
    symbol_fees: Mapping[str, SymbolCommission] = field(default_factory=dict)

    def __post_init__(self) -> None:
        rates = [("taker_fee", self.taker_fee), ("maker_fee", self.maker_fee)]
        rates += [(f"symbol_fees[{s}].{side}", getattr(c, side)) for s, c in self.symbol_fees.items()
                  for side in ("taker", "maker")]
        for name, rate in rates:
            if not Decimal(0) <= rate < Decimal("0.1"):
                raise ValueError(f"SimulatorCosts.{name} = {rate}: expected a fraction in [0, 0.1)")
        if self.slippage_bps < 0 or self.slippage_jitter_bps < 0:
            raise ValueError("SimulatorCosts slippage must not be negative")
        if self.latency_ms < 0 or self.latency_jitter_ms < 0:
            raise ValueError("SimulatorCosts latency must not be negative")

    @classmethod
    def from_rates(cls, *, taker_fee: float, maker_fee: float, bnb_discount: bool = False,
                   slippage_bps: float = 2.0, latency_ms: int = 150, seed: int = 7,
                   slippage_jitter_bps: float = 0.0, latency_jitter_ms: int = 0,
                   symbol_fees: Mapping[str, tuple[float, float]] | None = None) -> SimulatorCosts:
        """Build from the float settings (`execution.*`) without binary-float noise in the Decimals;
        `symbol_fees`: symbol -> (taker, maker)."""
        table = {s: SymbolCommission(Decimal(str(t)), Decimal(str(m)))
                 for s, (t, m) in (symbol_fees or {}).items()}
        return cls(taker_fee=Decimal(str(taker_fee)), maker_fee=Decimal(str(maker_fee)),
                   bnb_discount=bnb_discount, slippage_bps=Decimal(str(slippage_bps)),
                   slippage_jitter_bps=Decimal(str(slippage_jitter_bps)), latency_ms=latency_ms,
                   latency_jitter_ms=latency_jitter_ms, seed=seed, symbol_fees=table)

    def fee_rate(self, *, maker: bool, symbol: str | None = None) -> Decimal:
        own = self.symbol_fees.get(symbol) if symbol is not None else None
        if own is not None:
            return own.maker if maker else own.taker
        return self.maker_fee if maker else self.taker_fee

    def schedule(self, symbol: str) -> fees.FeeSchedule:
        """This account's rates on `symbol` as the domain reads them (the commission endpoint's answer)."""
        return fees.FeeSchedule(float(self.fee_rate(maker=False, symbol=symbol)),
                                float(self.fee_rate(maker=True, symbol=symbol)), self.bnb_discount)

    def fee_table(self) -> FeeTable:
        return FeeTable(fees.FeeSchedule(float(self.taker_fee), float(self.maker_fee), self.bnb_discount),
                        {s: self.schedule(s) for s in self.symbol_fees})

    def slippage_fraction(self, rng: random.Random) -> Decimal:
        """Adverse price move as a fraction; draws from `rng` only when a jitter is configured."""
        extra = Decimal(0)
        if self.slippage_jitter_bps > 0:
            extra = self.slippage_jitter_bps * Decimal(rng.randint(0, 1000)) / 1000
        return (self.slippage_bps + extra) / _BPS

    def latency_draw_ms(self, rng: random.Random) -> int:
        jitter = rng.randint(0, self.latency_jitter_ms) if self.latency_jitter_ms > 0 else 0
        return self.latency_ms + jitter
