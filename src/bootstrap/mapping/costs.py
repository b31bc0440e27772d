"""Settings -> what trades cost: the simulated trade's fees and slippage (research, labels; per symbol with
the fee table) and the simulated venue's costs (paper, backtest). Fees come from
`ExecutionSettings.fees` / `fee_table` (domain.fees.FeeSchedule), where the BNB discount is applied, and only
there; basis points become fractions here."""

from __future__ import annotations

from adapters.simulated.costs import SimulatorCosts
from bootstrap.settings_model import ExecutionSettings, Settings
from domain.fees import FeeSchedule
from domain.outcome import TradeCosts
from domain.symbol_costs import SymbolCosts


def trade_costs(settings: Settings, *, bnb: bool | None = None, symbol: str | None = None) -> TradeCosts:
    """What one simulated trade pays (training labels, research): effective fees and slippage; with
    `symbol`, at that symbol's rates in the fee table (execution.symbol_fees)."""
    e = settings.execution
    own = e.fees if symbol is None else e.fee_table.for_symbol(symbol)
    return _priced(e, own if bnb is None else own.with_bnb(bnb))


def symbol_trade_costs(settings: Settings, *, bnb: bool | None = None) -> SymbolCosts:
    """trade_costs with each symbol of execution.symbol_fees at its own rates (priced alike); without such
    symbols every trade pays exactly trade_costs'."""
    e = settings.execution
    table = e.fee_table if bnb is None else e.fee_table.with_bnb(bnb)
    return SymbolCosts(_priced(e, table.default), {s: _priced(e, f) for s, f in table.symbols.items()})


def _priced(e: ExecutionSettings, fees: FeeSchedule) -> TradeCosts:
    taker, maker = fees.effective_taker, fees.effective_maker
    return TradeCosts(entry_fee=taker, take_profit_fee=maker if e.maker_take_profit else taker,
                      exit_fee=taker, slippage_pct=e.slippage_bps / 10_000)


def paper_simulator_costs(settings: Settings) -> SimulatorCosts:
    """Paper pays fees as Binance would: in BNB at a discount when it holds BNB and the option is on."""
    execution = settings.execution
    return SimulatorCosts.from_rates(
        taker_fee=execution.taker_fee_rate, maker_fee=execution.maker_fee_rate,
        bnb_discount=execution.bnb_fee_discount, slippage_bps=execution.slippage_bps,
        latency_ms=execution.latency_ms, seed=execution.seed,
        symbol_fees={s: (f.taker, f.maker) for s, f in execution.symbol_fees.items()})


def backtest_simulator_costs(settings: Settings) -> SimulatorCosts:
    """A backtest applies the BNB discount to the rates (fees still taken in the received asset), so it
    needs no BNB balance nor BNB price."""
    execution = settings.execution
    own = execution.fee_table.symbols
    return SimulatorCosts.from_rates(
        taker_fee=execution.fees.effective_taker, maker_fee=execution.fees.effective_maker,
        slippage_bps=execution.slippage_bps, latency_ms=execution.latency_ms, seed=execution.seed,
        symbol_fees={s: (f.effective_taker, f.effective_maker) for s, f in own.items()})
