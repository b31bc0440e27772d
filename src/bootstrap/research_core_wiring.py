"""The research core wired like a backtest: the same filters, costs and settings as run_plan_sync.

`core_run(settings, market, plan, first)` gives the trades the compiled core (adapters.kernels) makes
for the plan that `run_plan_sync` would replay through the real loop; `as_completed` turns them into
the loop's CompletedTrade values (for reports and for the parity tests).
"""

from __future__ import annotations

from dataclasses import replace

from adapters.kernels.research_core import NumbaResearchCore
from adapters.simulated.symbol_rules import default_rules_for
from application.backtest.core_grid import core_cells, core_grid
from application.backtest.market_grid import BacktestMarket
from application.backtest.precompute import EntryPlan
from bootstrap import research_mapping
from bootstrap.backtest_wiring import reference_prices
from bootstrap.settings_model import Settings
from domain.position import CompletedTrade, ExitReason
from domain.research_core import CoreExit, CoreGrid, CoreTrades, ResearchCore


def simulator_filters(market: BacktestMarket, first_minute: int) -> dict[str, tuple[float, float, float]]:
    """(tick, step, min notional) of each symbol as run_plan's SimulatedExchange builds them."""
    out = {}
    for symbol, price in reference_prices(market, first_minute).items():
        rules = default_rules_for(symbol, price)
        out[symbol] = (float(rules.tick_size), float(rules.step_size), float(rules.min_notional))
    return out


def backtest_grid(market: BacktestMarket, first_minute: int) -> CoreGrid:
    return core_grid(market, simulator_filters(market, first_minute))


def core_run(settings: Settings, market: BacktestMarket, plan: EntryPlan, first_minute: int, *,
             core: ResearchCore | None = None, grid: CoreGrid | None = None) -> CoreTrades:
    """The core's trades for `plan` under the backtest's settings (`grid`: reuse one already built)."""
    engine = core if core is not None else NumbaResearchCore()
    core_settings = replace(research_mapping.core_settings_from(settings), bar_ms=market.bar_ms)
    return engine.run(grid if grid is not None else backtest_grid(market, first_minute), core_cells(plan),
                      core_settings, first_minute)


def as_completed(trades: CoreTrades, symbols: tuple[str, ...]) -> list[CompletedTrade]:
    return [CompletedTrade(symbol=symbols[int(trades.symbol[k])], entry_price=float(trades.entry_price[k]),
                           exit_price=float(trades.exit_price[k]), quantity=float(trades.quantity[k]),
                           entry_time_ms=int(trades.entry_ms[k]), exit_time_ms=int(trades.exit_ms[k]),
                           fees_usdt=float(trades.fees_usdt[k]),
                           exit_reason=ExitReason(CoreExit(int(trades.reason[k])).name))
            for k in range(len(trades))]
