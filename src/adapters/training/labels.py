"""The training label of each row: the spec's threshold label, or the outcome of the trade the bot would
make (domain.outcome), and the card that describes it.

Outcome labels price each symbol at its own rates when the costs are a SymbolCosts (the fee table: a
zero-fee pair's label counts the trade it would really make). The net return kept beside the label stays
priced at the default costs: the EV map and gate learn it, and the bot adds each symbol's own fee difference
at run time (application/symbol_fees.py ev_shift_pct), so pricing it per symbol here would count that twice.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from adapters.history.loader import SymbolHistory
from adapters.onnx.card import ExitPolicyCard, LabelCard, SymbolCostCard
from domain.outcome import ExitRules, TradeCosts, simulate_exits
from domain.symbol_costs import SymbolCosts


@dataclass(frozen=True)
class LabelSpec:
    kind: str  # "spec" | "outcome"
    horizon_bars: int
    threshold: float  # fraction (0.002 = +0.2%), kind "spec"
    exit_rules: ExitRules | None = None  # kind "outcome"
    costs: TradeCosts | SymbolCosts | None = None  # one price for all, or each symbol's own

    @property
    def gap_bars(self) -> int:
        """Bars a label reads after its row (outcome trades enter at the next open)."""
        if self.kind == "outcome" and self.exit_rules is not None:
            return self.exit_rules.timeout_bars + 1
        return self.horizon_bars

    @property
    def default_costs(self) -> TradeCosts | None:
        """What a symbol without its own rates pays (the card's round trip)."""
        return self.costs.default if isinstance(self.costs, SymbolCosts) else self.costs

    def costs_for(self, symbol: str) -> TradeCosts | None:
        return self.costs.for_symbol(symbol) if isinstance(self.costs, SymbolCosts) else self.costs

    def own_costs(self) -> dict[str, TradeCosts]:
        """The symbols that pay otherwise than the default, by name (empty without a fee table)."""
        if not isinstance(self.costs, SymbolCosts):
            return {}
        return {s: c for s, c in sorted(self.costs.own.items()) if c != self.costs.default}

    def card(self) -> LabelCard:
        default = self.default_costs
        if self.kind == "outcome" and self.exit_rules is not None and default is not None:
            r = self.exit_rules
            own = {s: SymbolCostCard(entry_fee=c.entry_fee, take_profit_fee=c.take_profit_fee,
                                     exit_fee=c.exit_fee, round_trip_cost_pct=c.round_trip_pct)
                   for s, c in self.own_costs().items()}
            policy = ExitPolicyCard(take_profit_pct=r.take_profit_pct, stop_loss_pct=r.stop_loss_pct,
                                    timeout_bars=r.timeout_bars,
                                    trailing_activation_pct=r.trailing_activation_pct,
                                    trailing_distance_pct=r.trailing_distance_pct,
                                    round_trip_cost_pct=default.round_trip_pct, symbol_costs=own)
            return LabelCard(kind="outcome", horizon_bars=self.gap_bars, exit_policy=policy,
                             description="1 when a trade entered at the next open and managed with the exit "
                                         "policy ends with a positive net return after fees and slippage"
                                         + (" (each symbol of exit_policy.symbol_costs at its own rates)"
                                            if own else ""))
        return LabelCard(kind="spec", horizon_bars=self.horizon_bars, threshold_pct=self.threshold * 100,
                         description=f"max(high[t+1..t+{self.horizon_bars}]) >= close[t] x "
                                     f"(1 + {self.threshold:g}) (spec 5.2)")


def _net_return_pct(history: SymbolHistory, rules: ExitRules, costs: TradeCosts) -> npt.NDArray[np.float64]:
    f = history.frame
    return simulate_exits(f["open"].to_numpy(np.float64), f["high"].to_numpy(np.float64),
                          f["low"].to_numpy(np.float64), f["close"].to_numpy(np.float64),
                          f["open_time_ms"].to_numpy(np.int64), rules, costs,
                          history.interval_ms).net_return_pct


def outcome_columns(history: SymbolHistory, rows: pd.DataFrame, spec: LabelSpec) -> pd.DataFrame:
    """`rows` (one symbol's) with `net_return_pct` (at the default costs) and `label` (1 when the trade at
    the symbol's own costs ends positive), without the rows whose trade has no outcome."""
    default, own = spec.default_costs, spec.costs_for(history.symbol)
    assert spec.exit_rules is not None and default is not None and own is not None
    times = history.frame["open_time_ms"].to_numpy(np.int64)
    wanted = rows["open_time_ms"].to_numpy()

    def at_rows(values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        out: npt.NDArray[np.float64] = np.asarray(pd.Series(values, index=times).reindex(wanted), np.float64)
        return out

    rows = rows.assign(net_return_pct=at_rows(_net_return_pct(history, spec.exit_rules, default)))
    # Fees never move a trade's exit (its stops are priced from the entry): only what it nets differs.
    paid = rows["net_return_pct"].to_numpy(np.float64) if own == default \
        else at_rows(_net_return_pct(history, spec.exit_rules, own))
    defined = np.isfinite(rows["net_return_pct"].to_numpy())
    rows = rows[defined]
    return rows.assign(label=(paid[defined] > 0).astype(np.float64))
