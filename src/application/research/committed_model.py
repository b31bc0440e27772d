"""The committed model's own figures on the bars after its training data: the test period of its card.

Same rows as a walk-forward fold (deciles of expected value, the trades its EV gate lets through, random
entries, the scanner rule alone, all bars), with the model's own exit policy and the settings' costs, so
the README's out-of-time figures come from the model file the bot actually loads.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from application.research.period_bars import PeriodBars
from application.research.period_rows import EdgeRow, period_rows
from domain.outcome import ExitRules, TradeCosts

Floats = npt.NDArray[np.float64]


@dataclass(frozen=True)
class CommittedFigures:
    model_version: str
    period: str
    policy: str
    margin_pct: float | None  # the EV margin the bot would apply (settings and card gate); None = off
    rows: tuple[EdgeRow, ...]


def committed_figures(bars: PeriodBars, rules: ExitRules, costs: TradeCosts, probability: Floats,
                      expected: Floats, *, margin_pct: float | None, model_version: str, policy: str,
                      seed: int) -> CommittedFigures:
    """`probability` and `expected` are the model's outputs on `bars.features` (row for row)."""
    if len(probability) != len(bars) or len(expected) != len(bars):
        raise ValueError(f"{len(probability)} / {len(expected)} model outputs for {len(bars)} bars")
    net = bars.outcomes(rules, costs).net_return_pct
    if margin_pct is None:
        selected = np.zeros(len(bars), dtype=np.bool_)
    else:
        selected = np.isfinite(expected) & (expected > margin_pct) & np.isfinite(net)
    rows, _ = period_rows(bars, net, probability, expected, selected, seed)
    return CommittedFigures(model_version, bars.name, policy, margin_pct, tuple(rows))
