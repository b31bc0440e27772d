"""One candidate of the edge lab: the values a trial drew from the search space, checked and typed.

The search space (config/research/*.yaml) names these keys; any key it leaves out takes the default
below. Holds are in minutes so that one space covers several bar intervals; feature subsets are
"+"-joined groups of domain.features (momentum, trend, volatility, volume, price_action, book) or "all".
`target` is what the model learns (application/research/trial_targets.py: outcome, spec, forward);
`quote_asset` narrows the trial's `universe` to the pairs of one quote asset (USDT, FDUSD, USDC...; "all":
every pair of the universe).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from domain.features import FEATURE_NAMES
from domain.features_book import BOOK_FEATURE_NAMES
from domain.features_kline import (
    MOMENTUM_NAMES,
    PRICE_ACTION_NAMES,
    TREND_NAMES,
    VOLATILITY_NAMES,
    VOLUME_NAMES,
)
from domain.outcome import ExitRules

FEATURE_GROUPS: dict[str, tuple[str, ...]] = {
    "momentum": MOMENTUM_NAMES, "trend": TREND_NAMES, "volatility": VOLATILITY_NAMES,
    "volume": VOLUME_NAMES, "price_action": PRICE_ACTION_NAMES, "book": BOOK_FEATURE_NAMES,
}
SELECTIONS = ("top_fraction", "ev_gate")
ENTRIES = ("taker", "maker")
TARGETS = ("outcome", "spec", "forward")  # application/research/trial_targets.py


@dataclass(frozen=True)
class TrialParams:
    interval_minutes: int = 1
    take_profit_pct: float = 0.6  # percent
    stop_loss_pct: float = 0.6
    hold_minutes: int = 15
    trailing: bool = False
    trailing_activation_pct: float = 0.4
    trailing_distance_pct: float = 0.3
    entry: str = "taker"
    fee_tier: str = "regular"
    selection: str = "top_fraction"
    top_fraction: float = 0.05  # of the validation rows' scores: the threshold the test must clear
    target: str = "outcome"  # what the label reads (trial_targets.TARGETS)
    label_margin_pct: float = 0.0  # the label is 1 when the target's value (% after costs) beats this
    features: str = "all"
    universe: str = "all"
    quote_asset: str = "all"  # only the universe's pairs quoted in this asset ("all": every pair)
    num_leaves: int = 15
    learning_rate: float = 0.08
    n_estimators: int = 150
    min_child_samples: int = 200

    @property
    def timeout_bars(self) -> int:
        return max(1, self.hold_minutes // self.interval_minutes)

    @property
    def exit_rules(self) -> ExitRules:
        trailing = self.trailing_activation_pct / 100 if self.trailing else None
        return ExitRules(self.take_profit_pct / 100, self.stop_loss_pct / 100, self.timeout_bars,
                         trailing, self.trailing_distance_pct / 100)

    def feature_columns(self) -> tuple[int, ...]:
        if self.features == "all":
            return tuple(range(len(FEATURE_NAMES)))
        names = [n for group in self.features.split("+") for n in FEATURE_GROUPS[group]]
        return tuple(FEATURE_NAMES.index(n) for n in names)

    def as_dict(self) -> dict[str, object]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def trial_params(values: Mapping[str, object]) -> TrialParams:
    """TrialParams from drawn values; ValueError names the first key or value that is not understood."""
    known = {f.name: f for f in fields(TrialParams)}
    typed: dict[str, Any] = {}
    for key, value in values.items():
        if key not in known:
            raise ValueError(f"search space: unknown key {key!r} (known: {', '.join(sorted(known))})")
        kind = type(getattr(TrialParams(), key))
        if kind is bool and not isinstance(value, bool):
            raise ValueError(f"search space: {key} must be true or false, got {value!r}")
        typed[key] = kind(value)
    if "quote_asset" in typed:  # asset names are upper case; "all" in any case means every pair
        quote = typed["quote_asset"]
        typed["quote_asset"] = "all" if quote.lower() == "all" else quote.upper()
    params = TrialParams(**typed)
    if params.interval_minutes < 1 or params.hold_minutes < params.interval_minutes:
        raise ValueError(f"search space: hold_minutes {params.hold_minutes} must be at least one bar of "
                         f"{params.interval_minutes} min")
    if params.selection not in SELECTIONS:
        raise ValueError(f"search space: selection {params.selection!r} is not one of {SELECTIONS}")
    if params.entry not in ENTRIES:
        raise ValueError(f"search space: entry {params.entry!r} is not one of {ENTRIES}")
    unknown = [g for g in params.features.split("+") if params.features != "all" and g not in FEATURE_GROUPS]
    if unknown:
        raise ValueError(f"search space: feature group {unknown[0]!r} is not one of "
                         f"all, {', '.join(FEATURE_GROUPS)}")
    if params.target not in TARGETS:
        raise ValueError(f"search space: target {params.target!r} is not one of {TARGETS}")
    if params.quote_asset != "all" and not params.quote_asset.isalnum():
        raise ValueError(f"search space: quote_asset {params.quote_asset!r} is not an asset name (e.g. USDT) "
                         "or all")
    if not 0 < params.top_fraction < 1:
        raise ValueError(f"search space: top_fraction {params.top_fraction} must be between 0 and 1")
    return params
