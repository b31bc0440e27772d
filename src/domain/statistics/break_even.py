"""The round-trip cost at which a candidate's edge vanishes, and which fee tiers would make it pay.

To first order a trade's net return is its gross return less the round trip (both fees and the slippage
of the market legs, in %), so the break-even round trip is the mean net return plus the round trip the
run was priced at. A tier pays when its own round trip is below that. The tiers are Binance spot's
published commission levels (maker / taker, %; Dec 2024, check binance.com's fee schedule; the search
YAML can replace them), BNB payment taking 25% off, and the zero-fee promotions some pairs have had.
A fee table's own symbols (a zero-fee pair) pay their own rates whatever the tier: `own_share` of the
trades is priced at `own_round_trip_pct` in every tier, the rest at the tier's round trip.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class FeeTier:
    name: str
    maker_pct: float
    taker_pct: float

    def round_trip_pct(self, *, maker_entry: bool, slippage_pct: float) -> float:
        """Entry (maker limit or taker market) + a market exit, plus slippage on each market leg."""
        entry = self.maker_pct if maker_entry else self.taker_pct
        return entry + self.taker_pct + slippage_pct * (1 if maker_entry else 2)


BINANCE_SPOT_TIERS: tuple[FeeTier, ...] = (
    FeeTier("regular", 0.100, 0.100),
    FeeTier("regular + BNB", 0.075, 0.075),
    FeeTier("VIP 1 + BNB", 0.0675, 0.075),
    FeeTier("VIP 3 + BNB", 0.0315, 0.045),
    FeeTier("VIP 5 + BNB", 0.027, 0.036),
    FeeTier("VIP 9 + BNB", 0.009, 0.018),
    FeeTier("zero-fee pair", 0.0, 0.0),
)


@dataclass(frozen=True)
class TierVerdict:
    tier: str
    round_trip_pct: float
    mean_net_pct: float  # the same trades priced at this tier (first order)

    @property
    def pays(self) -> bool:
        return self.mean_net_pct > 0


@dataclass(frozen=True)
class BreakEven:
    round_trip_pct: float  # the cost at which the mean net return is zero
    priced_at_pct: float  # the round trip the candidate was priced at
    tiers: tuple[TierVerdict, ...]

    @property
    def cheapest_paying(self) -> str | None:
        """The most expensive tier that still pays (the one a user most likely can get), or None."""
        paying = [t for t in self.tiers if t.pays]
        return max(paying, key=lambda t: t.round_trip_pct).tier if paying else None


def break_even(mean_net_pct: float, priced_at_pct: float, *, maker_entry: bool, slippage_pct: float,
               tiers: tuple[FeeTier, ...] = BINANCE_SPOT_TIERS, own_share: float = 0.0,
               own_round_trip_pct: float = 0.0) -> BreakEven:
    if math.isnan(mean_net_pct):
        return BreakEven(math.nan, priced_at_pct, ())
    gross = mean_net_pct + priced_at_pct
    verdicts = []
    for tier in tiers:
        cost = tier.round_trip_pct(maker_entry=maker_entry, slippage_pct=slippage_pct)
        if own_share:
            cost = (1 - own_share) * cost + own_share * own_round_trip_pct
        verdicts.append(TierVerdict(tier.name, cost, gross - cost))
    return BreakEven(gross, priced_at_pct, tuple(verdicts))
