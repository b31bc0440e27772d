"""Binance spot commission rates: the one place the BNB discount is applied (binance-spot-api.md 1.10).

Rates are fractions of the traded notional (0.001 = 0.1%). Paying commissions in BNB takes 25% off;
`FeeSchedule.effective()` gives the rates a trade really pays, which is what every cost estimate uses.
"""

from __future__ import annotations

from dataclasses import dataclass

BNB_DISCOUNT_RATE = 0.25  # Binance: 25% off the standard commission when it is paid in BNB


@dataclass(frozen=True)
class FeeSchedule:
    taker: float = 0.001
    maker: float = 0.001
    bnb_discount: bool = False

    @property
    def effective_taker(self) -> float:
        return self.taker * (1.0 - BNB_DISCOUNT_RATE) if self.bnb_discount else self.taker

    @property
    def effective_maker(self) -> float:
        return self.maker * (1.0 - BNB_DISCOUNT_RATE) if self.bnb_discount else self.maker

    def with_bnb(self, on: bool) -> FeeSchedule:
        return FeeSchedule(self.taker, self.maker, on)

    def round_trip(self, *, maker_exit: bool) -> float:
        """A market entry plus an exit (a maker take-profit leg when `maker_exit`), effective rates."""
        return self.effective_taker + (self.effective_maker if maker_exit else self.effective_taker)
