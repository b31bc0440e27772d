"""Binance spot commission rates: the one place the BNB discount is applied (binance-spot-api.md 1.10).

Rates are fractions of the traded notional (0.001 = 0.1%). Paying commissions in BNB takes 25% off the
standard part (`discount_rate`, as GET /api/v3/account/commission reports it per symbol); tax and special
commissions (`*_extra`) are never discounted. `FeeSchedule.effective()` gives the rates a trade really
pays, which is what every cost estimate uses. Per symbol: domain/fee_table.py.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

BNB_DISCOUNT_RATE = 0.25  # Binance: 25% off the standard commission when it is paid in BNB


@dataclass(frozen=True)
class FeeSchedule:
    taker: float = 0.001
    maker: float = 0.001
    bnb_discount: bool = False
    discount_rate: float = BNB_DISCOUNT_RATE  # the share taken off the standard rates when paid in BNB
    taker_extra: float = 0.0  # tax + special commission on a taker fill (never discounted)
    maker_extra: float = 0.0

    @property
    def effective_taker(self) -> float:
        standard = self.taker * (1.0 - self.discount_rate) if self.bnb_discount else self.taker
        return standard + self.taker_extra if self.taker_extra else standard

    @property
    def effective_maker(self) -> float:
        standard = self.maker * (1.0 - self.discount_rate) if self.bnb_discount else self.maker
        return standard + self.maker_extra if self.maker_extra else standard

    def with_bnb(self, on: bool) -> FeeSchedule:
        return replace(self, bnb_discount=on)

    def round_trip(self, *, maker_exit: bool) -> float:
        """A market entry plus an exit (a maker take-profit leg when `maker_exit`), effective rates."""
        return self.effective_taker + (self.effective_maker if maker_exit else self.effective_taker)
