"""A candidate's costs: its fee tier and entry kind priced the way domain.outcome simulates a trade, each
symbol of the study's fee table (costs.symbol_fees: a zero-fee pair, a quote asset priced otherwise) at
its own rates whatever the tier.

Taker entries pay the taker fee and the slippage; maker entries the maker fee, and fill only when the next
bar trades through the limit (domain.outcome). Take-profits are resting limit sells (maker), stops and
timeouts market sells (taker). The break-even figures are priced at the candidate's own trades: the mean
round trip they paid, and the share of them on the table's own symbols.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from application.research.trial_params import TrialParams
from domain.outcome import TradeCosts
from domain.statistics.break_even import FeeTier
from domain.statistics.trust import Costing
from domain.symbol_costs import SymbolCosts


def tier_named(tiers: Sequence[FeeTier], name: str) -> FeeTier:
    for tier in tiers:
        if tier.name == name:
            return tier
    raise ValueError(f"fee tier {name!r} is not one of: {', '.join(t.name for t in tiers)}")


def _trade_costs(rates: FeeTier, maker_entry: bool, slippage_pct: float) -> TradeCosts:
    entry = rates.maker_pct if maker_entry else rates.taker_pct
    return TradeCosts(entry_fee=entry / 100, take_profit_fee=rates.maker_pct / 100,
                      exit_fee=rates.taker_pct / 100, slippage_pct=slippage_pct / 100,
                      maker_entry=maker_entry)


def lab_costs(params: TrialParams, tiers: Sequence[FeeTier], slippage_pct: float,
              symbol_fees: Mapping[str, FeeTier] | None = None) -> SymbolCosts:
    maker_entry = params.entry == "maker"
    default = _trade_costs(tier_named(tiers, params.fee_tier), maker_entry, slippage_pct)
    own = {s: _trade_costs(rates, maker_entry, slippage_pct) for s, rates in (symbol_fees or {}).items()}
    return SymbolCosts(default, own)


def lab_costing(params: TrialParams, costs: SymbolCosts, tiers: Sequence[FeeTier], slippage_pct: float,
                traded: Sequence[str]) -> Costing:
    """How the candidate's trades (`traded`: the symbol of each) were priced, for its break-even."""
    maker_entry = params.entry == "maker"
    own = np.isin(np.asarray(traded, dtype=np.str_), list(costs.own)) if costs.own and traded else None
    if own is None or not own.any():
        return Costing(costs.default.round_trip_pct, maker_entry, slippage_pct, tuple(tiers))
    paid = costs.round_trips_pct(traded)
    return Costing(float(paid.mean()), maker_entry, slippage_pct, tuple(tiers), own_share=float(own.mean()),
                   own_round_trip_pct=float(paid[own].mean()))
