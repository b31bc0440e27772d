"""What trading costs in the simulator: fees, slippage, latency, and the seed of every random draw.

Defaults follow Binance spot's standard tier (binance-spot-api.md 1.10): 0.1% maker and taker, no BNB
discount. Slippage applies only where the simulator has no book to walk (klines, or beyond a bookTicker's
top level); latency delays every order action through the injected Clock.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

from domain import fees

BNB = "BNB"
BNB_DISCOUNT_RATE = Decimal(repr(fees.BNB_DISCOUNT_RATE))  # 0.25: domain/fees.py
_BPS = Decimal(10_000)


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

    def __post_init__(self) -> None:
        for name in ("taker_fee", "maker_fee"):
            rate = getattr(self, name)
            if not Decimal(0) <= rate < Decimal("0.1"):
                raise ValueError(f"SimulatorCosts.{name} = {rate}: expected a fraction in [0, 0.1)")
        if self.slippage_bps < 0 or self.slippage_jitter_bps < 0:
            raise ValueError("SimulatorCosts slippage must not be negative")
        if self.latency_ms < 0 or self.latency_jitter_ms < 0:
            raise ValueError("SimulatorCosts latency must not be negative")

    @classmethod
    def from_rates(cls, *, taker_fee: float, maker_fee: float, bnb_discount: bool = False,
                   slippage_bps: float = 2.0, latency_ms: int = 150, seed: int = 7,
                   slippage_jitter_bps: float = 0.0, latency_jitter_ms: int = 0) -> SimulatorCosts:
        """Build from the float settings (`execution.*`) without binary-float noise in the Decimals."""
        return cls(taker_fee=Decimal(str(taker_fee)), maker_fee=Decimal(str(maker_fee)),
                   bnb_discount=bnb_discount, slippage_bps=Decimal(str(slippage_bps)),
                   slippage_jitter_bps=Decimal(str(slippage_jitter_bps)), latency_ms=latency_ms,
                   latency_jitter_ms=latency_jitter_ms, seed=seed)

    def fee_rate(self, *, maker: bool) -> Decimal:
        return self.maker_fee if maker else self.taker_fee

    def slippage_fraction(self, rng: random.Random) -> Decimal:
        """Adverse price move as a fraction; draws from `rng` only when a jitter is configured."""
        extra = Decimal(0)
        if self.slippage_jitter_bps > 0:
            extra = self.slippage_jitter_bps * Decimal(rng.randint(0, 1000)) / 1000
        return (self.slippage_bps + extra) / _BPS

    def latency_draw_ms(self, rng: random.Random) -> int:
        jitter = rng.randint(0, self.latency_jitter_ms) if self.latency_jitter_ms > 0 else 0
        return self.latency_ms + jitter
