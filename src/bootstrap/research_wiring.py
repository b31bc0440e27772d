"""Settings -> the edge report's exit policies, costs and config; the committed model's own figures.

The costs are the settings' (execution.*, each symbol of execution.symbol_fees at its own rates), priced
the way domain.outcome simulates a trade; the exit
policies are the settings' own plus wider ones, tried on validation only
(application/research/walk_forward.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from application.research.committed_model import CommittedFigures, committed_figures
from application.research.period_bars import build_period_bars
from application.research.period_source import PeriodSource
from application.research.walk_forward import EdgeConfig, NamedPolicy
from bootstrap import mapping
from bootstrap.settings_model import Settings
from domain.outcome import ExitRules, TradeCosts
from domain.symbol_costs import SymbolCosts

if TYPE_CHECKING:  # onnxruntime (~20 MB) only for `report edge`'s own model, not the lab's preset
    from adapters.onnx.model import OnnxModel

# Wider exits than the settings' (tried on validation only): a move must clear ~0.25% of costs. 60 min is
# the longest timeout the settings allow (timing.position_timeout_seconds <= 3600).
EXTRA_POLICIES = (
    ExitRules(0.006, 0.006, 15),
    ExitRules(0.010, 0.005, 30),
    ExitRules(0.015, 0.010, 60),
    ExitRules(0.020, 0.010, 60),
    ExitRules(0.010, 0.010, 60, trailing_activation_pct=0.004, trailing_distance_pct=0.003),
)


def policy_name(r: ExitRules) -> str:
    trail = (f" trail {r.trailing_activation_pct * 100:g}/{r.trailing_distance_pct * 100:g}"
             if r.trailing_activation_pct is not None else "")
    hold = f" hold {r.min_hold_bars}" if r.min_hold_bars else ""
    return f"TP {r.take_profit_pct * 100:g}% SL {r.stop_loss_pct * 100:g}% {r.timeout_bars} min{trail}{hold}"


def edge_config(settings: Settings, *, quick: bool, max_train_rows: int) -> EdgeConfig:
    rules = [mapping.exit_rules_from(settings), *EXTRA_POLICIES[: 1 if quick else None]]
    policies = tuple(NamedPolicy(policy_name(r), r) for r in dict.fromkeys(rules))
    bnb = mapping.symbol_trade_costs(settings, bnb=True)
    variants = (("BNB fee discount", bnb),
                ("BNB + maker entry, upper bound (every entry fills, no slippage)", _maker_bound(bnb)))
    return EdgeConfig(policies=policies, costs=mapping.symbol_trade_costs(settings), cost_variants=variants,
                      max_train_rows=max_train_rows, margin_pct=settings.signal.min_expected_net_return_pct,
                      seed=settings.execution.seed, min_trades=10 if quick else 30)


def _maker_bound(costs: SymbolCosts) -> SymbolCosts:
    """Every entry a maker fill without slippage, each symbol at its own maker rate."""
    def bound(c: TradeCosts) -> TradeCosts:
        return TradeCosts(c.take_profit_fee, c.take_profit_fee, c.exit_fee, 0.0)
    return SymbolCosts(bound(costs.default), {s: bound(c) for s, c in costs.own.items()})


def model_rules(model: OnnxModel, settings: Settings) -> ExitRules:
    """The exit policy the model's label was simulated with (the settings' when the card has none)."""
    policy = model.card.label.exit_policy
    if policy is None:
        return mapping.exit_rules_from(settings)
    return ExitRules(take_profit_pct=policy.take_profit_pct, stop_loss_pct=policy.stop_loss_pct,
                     timeout_bars=policy.timeout_bars, trailing_activation_pct=policy.trailing_activation_pct,
                     trailing_distance_pct=policy.trailing_distance_pct)


def model_figures(model: OnnxModel, settings: Settings, periods: Sequence[PeriodSource]
                  ) -> CommittedFigures | None:
    """The model on every bar from the start of its card's test period (None when no period reaches it);
    only that period's bars are built whole."""
    start = model.card.test.start_ms
    after = [p for p in periods if max(int(p.symbol_times(c)[-1]) for c in range(len(p.symbols))) >= start]
    if not after:
        return None
    last = after[-1]
    whole = build_period_bars(last.name, last.klines, last.rules, interval_ms=last.interval_ms,
                              with_scanner=last.with_scanner)
    bars = whole.take(np.flatnonzero(whole.time_ms >= start))
    del whole
    probability, _, _, expected = model.score(bars.features)
    margin = mapping.expected_return_margin(settings, model.ev_gate_margin_pct)
    rules = model_rules(model, settings)
    return committed_figures(bars, rules, mapping.trade_costs(settings), probability, expected,
                             margin_pct=margin, model_version=model.version, policy=policy_name(rules),
                             seed=settings.execution.seed)
