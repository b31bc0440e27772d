"""The edge report's costs come per symbol from the settings' fee table, today's figures without one."""

from __future__ import annotations

import numpy as np

from application.research.period_bars import PeriodBars
from application.research.report_payload import plain
from bootstrap import mapping
from bootstrap.research_wiring import edge_config
from bootstrap.settings_model import Settings
from domain.outcome import ExitRules
from domain.symbol_costs import SymbolCosts


def _settings(**execution: object) -> Settings:
    return Settings.model_validate({"execution": execution})


def test_without_a_fee_table_every_symbol_pays_the_global_costs_and_the_json_is_unchanged() -> None:
    settings = _settings()
    config = edge_config(settings, quick=False, max_train_rows=1000)
    assert isinstance(config.costs, SymbolCosts) and not config.costs.own
    assert config.costs.for_symbol("BTCUSDT") == mapping.trade_costs(settings)
    assert plain(config.costs) == plain(mapping.trade_costs(settings))
    bnb = dict(config.cost_variants)["BNB fee discount"]
    assert isinstance(bnb, SymbolCosts) and bnb.default == mapping.trade_costs(settings, bnb=True)


def test_a_symbol_of_the_fee_table_trades_at_its_own_rates() -> None:
    settings = _settings(symbol_fees={"BTCUSDT": {"taker": 0.0, "maker": 0.0}})
    config = edge_config(settings, quick=False, max_train_rows=1000)
    assert isinstance(config.costs, SymbolCosts)
    own, other = config.costs.for_symbol("BTCUSDT"), config.costs.for_symbol("ETHUSDT")
    assert (own.entry_fee, own.exit_fee, own.take_profit_fee) == (0.0, 0.0, 0.0)
    assert other == mapping.trade_costs(settings)
    maker = dict(config.cost_variants)["BNB + maker entry, upper bound (every entry fills, no slippage)"]
    assert isinstance(maker, SymbolCosts) and maker.for_symbol("BTCUSDT").entry_fee == 0.0
    # the same prices, two symbols: the free one nets more per trade by exactly the default's fees
    n = 40
    price = 100 + np.cumsum(np.random.default_rng(1).normal(0, 0.2, n))
    twice = 2 * n
    bars = PeriodBars("p", ("BTCUSDT", "ETHUSDT"), np.repeat([0, 1], n), np.tile(np.arange(n) * 60_000, 2),
                      np.tile(price, 2), np.tile(price * 1.01, 2), np.tile(price * 0.99, 2),
                      np.tile(price, 2), np.zeros((twice, 0), dtype=np.float32), np.zeros(twice),
                      np.zeros(twice, dtype=np.bool_), (slice(0, n), slice(n, twice)))
    net = bars.outcomes(ExitRules(0.003, 0.004, 5), config.costs).net_return_pct
    free, paid = net[:n], net[n:]
    known = np.isfinite(free)
    assert known.sum() > 10 and bool(np.all(free[known] > paid[known]))
