"""Settings -> the plain values the core reads: every conversion exists here once, this package re-exporting
each (`from bootstrap.mapping import X`, `mapping.X`), by responsibility:

- costs.py: what a trade costs (simulated trades per symbol, the simulated venue's fees);
- trading.py: the trading loop's config (risk, EV gate, signal, scanner, exits, execution, recovery, health);
- places.py: paths and URLs (state store, journals, market URLs, default data) and the days a user gives;
- console.py: the console's server, notifications and limits.
The research wing's conversions are in bootstrap/research_mapping.py.

Units are converted once, here: seconds and hours -> integer milliseconds, basis points -> fractions,
days (YYYY-MM-DD) -> ms through domain.time_units. Naming, where a value holds both kinds: `*_pct` is a
fraction (0.004 = 0.4%) and `*_percent` a percent (SignalThresholds, TradingStats). The config keys keep
the specification's names (documented in config/default.yaml); this package renames them. Fees come from
`ExecutionSettings.fees` (domain.fees.FeeSchedule), where the BNB discount is applied, and only there.
"""

from __future__ import annotations

from bootstrap.mapping.console import (
    console_config_from,
    console_limits_from,
    venue_label,
)
from bootstrap.mapping.costs import (
    backtest_simulator_costs,
    paper_simulator_costs,
    symbol_trade_costs,
    trade_costs,
)
from bootstrap.mapping.places import (
    account_tag,
    backtest_start_ms,
    day_ms,
    default_data_from,
    journal_paths,
    market_urls,
    state_path,
)
from bootstrap.mapping.trading import (
    EV_GATE_FLAG_NOTE,
    EV_GATE_OVERRIDDEN,
    ev_gate_state,
    execution_config_from,
    exit_policy_from,
    exit_rules_from,
    expected_return_margin,
    loop_config_from,
    model_health_from,
    recovery_config_from,
    risk_limits_from,
    scanner_rules_from,
    signal_thresholds_from,
    without_edge_gate,
)

__all__ = [
    "EV_GATE_FLAG_NOTE",
    "EV_GATE_OVERRIDDEN",
    "account_tag",
    "backtest_simulator_costs",
    "backtest_start_ms",
    "console_config_from",
    "console_limits_from",
    "day_ms",
    "default_data_from",
    "ev_gate_state",
    "execution_config_from",
    "exit_policy_from",
    "exit_rules_from",
    "expected_return_margin",
    "journal_paths",
    "loop_config_from",
    "market_urls",
    "model_health_from",
    "paper_simulator_costs",
    "recovery_config_from",
    "risk_limits_from",
    "scanner_rules_from",
    "signal_thresholds_from",
    "state_path",
    "symbol_trade_costs",
    "trade_costs",
    "venue_label",
    "without_edge_gate",
]
