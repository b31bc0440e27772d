"""The training label of each row: the spec's threshold label, or the outcome of the trade the bot would
make (domain.outcome), and the card that describes it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from adapters.history.loader import SymbolHistory
from adapters.onnx.card import ExitPolicyCard, LabelCard
from domain.outcome import ExitRules, TradeCosts, simulate_exits


@dataclass(frozen=True)
class LabelSpec:
    kind: str  # "spec" | "outcome"
    horizon_bars: int
    threshold: float  # fraction (0.002 = +0.2%), kind "spec"
    exit_rules: ExitRules | None = None  # kind "outcome"
    costs: TradeCosts | None = None

    @property
    def gap_bars(self) -> int:
        """Bars a label reads after its row (outcome trades enter at the next open)."""
        if self.kind == "outcome" and self.exit_rules is not None:
            return self.exit_rules.timeout_bars + 1
        return self.horizon_bars

    def card(self) -> LabelCard:
        if self.kind == "outcome" and self.exit_rules is not None and self.costs is not None:
            r = self.exit_rules
            policy = ExitPolicyCard(take_profit_pct=r.take_profit_pct, stop_loss_pct=r.stop_loss_pct,
                                    timeout_bars=r.timeout_bars,
                                    trailing_activation_pct=r.trailing_activation_pct,
                                    trailing_distance_pct=r.trailing_distance_pct,
                                    round_trip_cost_pct=self.costs.round_trip_pct)
            return LabelCard(kind="outcome", horizon_bars=self.gap_bars, exit_policy=policy,
                             description="1 when a trade entered at the next open and managed with the exit "
                                         "policy ends with a positive net return after fees and slippage")
        return LabelCard(kind="spec", horizon_bars=self.horizon_bars, threshold_pct=self.threshold * 100,
                         description=f"max(high[t+1..t+{self.horizon_bars}]) >= close[t] x "
                                     f"(1 + {self.threshold:g}) (spec 5.2)")


def outcome_columns(history: SymbolHistory, rows: pd.DataFrame, spec: LabelSpec) -> pd.DataFrame:
    assert spec.exit_rules is not None and spec.costs is not None
    f = history.frame
    out = simulate_exits(f["open"].to_numpy(np.float64), f["high"].to_numpy(np.float64),
                         f["low"].to_numpy(np.float64), f["close"].to_numpy(np.float64),
                         f["open_time_ms"].to_numpy(np.int64), spec.exit_rules, spec.costs,
                         history.interval_ms)
    by_time = pd.Series(out.net_return_pct, index=f["open_time_ms"].to_numpy(np.int64))
    rows = rows.assign(net_return_pct=by_time.reindex(rows["open_time_ms"].to_numpy()).to_numpy())
    rows = rows[np.isfinite(rows["net_return_pct"])]
    return rows.assign(label=(rows["net_return_pct"] > 0).astype(np.float64))
