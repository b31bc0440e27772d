"""A candidate's costs: its fee tier and entry kind priced the way domain.outcome simulates a trade.

Taker entries pay the tier's taker fee; maker entries its maker fee (optimistic: every maker entry is
assumed to fill, and the simulated entry still pays the slippage). Take-profits are resting limit sells
(maker), stops and timeouts market sells (taker).
"""

from __future__ import annotations

from collections.abc import Sequence

from application.research.trial_params import TrialParams
from domain.outcome import TradeCosts
from domain.statistics.break_even import FeeTier
from domain.statistics.trust import Costing


def tier_named(tiers: Sequence[FeeTier], name: str) -> FeeTier:
    for tier in tiers:
        if tier.name == name:
            return tier
    raise ValueError(f"fee tier {name!r} is not one of: {', '.join(t.name for t in tiers)}")


def lab_costs(params: TrialParams, tiers: Sequence[FeeTier], slippage_pct: float
              ) -> tuple[TradeCosts, Costing]:
    tier = tier_named(tiers, params.fee_tier)
    maker_entry = params.entry == "maker"
    entry = tier.maker_pct if maker_entry else tier.taker_pct
    costs = TradeCosts(entry_fee=entry / 100, take_profit_fee=tier.maker_pct / 100,
                       exit_fee=tier.taker_pct / 100, slippage_pct=slippage_pct / 100)
    return costs, Costing(costs.round_trip_pct, maker_entry, slippage_pct, tuple(tiers))
