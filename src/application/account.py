"""The account as the loop sees it: cash, equity, and the durable record of every completed trade.

Equity is about the capital the user gave the bot (issue 14), never the rest of the account:
    equity = risk.capital (initial_capital + realised PnL) + the open positions marked at the last price
             less what they cost + the dust (holdings.py) at market less what it cost.
So a position counts once, as its unrealised result: never both it and the proceeds of a leg that filled
while it is still marked (the phantom spike a balance-based figure had), and 100 USDT configured on a
1000 USDT account sizes and stops from ~100. The quote balance is still re-read after every entry and exit
(an entry spends at most what is free); until that succeeds equity is not marked.
    equity change == sum of trade PnL + change in (dust_value() - dust_cost()) between flat moments.
A completed trade is recorded in the state store with the risk book that counted it (one transaction,
exactly once: a trade key already there is not counted again), then exported to the journal; an export
that fails is kept, logged, and written again on every tick and at stop: no record is ever lost silently.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence, Set
from decimal import Decimal

from loguru import logger

from application.exchange_calls import ExchangeCalls
from application.fills import PriceOf, no_prices
from application.holdings import DustLedger, PricePath, PricesOf
from application.trading_config import RetryPolicy
from domain.position import CompletedTrade
from domain.risk import RiskBook
from ports.clock import Clock
from ports.exchange import Exchange
from ports.journal import TradeJournal
from ports.state_store import StateStore


def trade_key(trade: CompletedTrade) -> str:
    """The same trade always gets the same key, whichever run (or recovery) computes it."""
    return f"{trade.symbol}:{trade.entry_time_ms}:{trade.exit_time_ms}:{trade.quantity!r}"


def no_cost() -> float:
    return 0.0


class Account:
    def __init__(self, exchange: Exchange, clock: Clock, journal: TradeJournal, risk: RiskBook,
                 retry: RetryPolicy, quote_asset: str, mode: str, *, dust: DustLedger | None = None,
                 price_of: PriceOf = no_prices, positions_cost: Callable[[], float] = no_cost,
                 state: StateStore | None = None,
                 price_moves: Callable[[], Set[str] | None] | None = None,
                 prices_version: Callable[[], int] | None = None) -> None:
        """`price_of(symbol)`: the last price seen of a symbol, to value the dust; `positions_cost()`: what
        the open positions cost (price and entry fees). `price_moves()`: the symbols whose `price_of` may
        have changed since its last call (None: any); without it the dust is valued anew on every call.
        `prices_version()`: a number that moves whenever `price_of` may say something else (None: unknown,
        so an equity is never reused: `equity_key`)."""
        self._exchange, self._clock, self._journal, self._risk = exchange, clock, journal, risk
        self._quote, self._mode = quote_asset, mode
        self._call = ExchangeCalls(exchange, clock, retry)  # the simulator's balances: no retry frame
        self._dust, self._price_of = dust if dust is not None else DustLedger(mode), price_of
        self._price_moves = price_moves
        self._prices_of: PricesOf | None = None
        self._prices_version = prices_version
        self._quote_floats = (0.0, 0.0)  # free and total as floats, made when set (each entry reads them)
        self._stale = True
        self._positions_cost, self._state = positions_cost, state
        self._unjournaled: list[tuple[str, CompletedTrade]] = []

    @property
    def quote_free(self) -> float:
        return self._quote_floats[0]

    @property
    def quote_total(self) -> float:
        return self._quote_floats[1]

    @property
    def balances_fresh(self) -> bool:
        return not self._stale

    @property
    def unjournaled(self) -> tuple[CompletedTrade, ...]:
        return tuple(trade for _, trade in self._unjournaled)

    @property
    def all_journaled(self) -> bool:
        """No trade waits for the journal (asked every minute a replay acts: no tuple built)."""
        return not self._unjournaled

    def set_quote(self, free: Decimal, total: Decimal) -> None:
        self._quote_floats, self._stale = (float(free), float(total)), False

    def balances_changed(self) -> None:
        self._stale = True

    async def refresh(self) -> None:
        balances = await self._call(self._exchange.balances, "balances")
        quote = balances.get(self._quote)  # no default Balance built: refreshed after every entry and exit
        if quote is None:
            self.set_quote(Decimal(0), Decimal(0))
        else:
            self.set_quote(quote.free, quote.total)

    def price_dust_with(self, price_of: PriceOf, price_moves: Callable[[], Set[str] | None] | None,
                        prices_of: PricesOf | None = None,
                        prices_version: Callable[[], int] | None = None) -> None:
        """Value the dust from another source than the last prices seen (a replay: the recorded market at
        its current minute, so equity never depends on which symbols the loop happens to watch).
        `prices_of`: the same prices for many symbols in one call (used when every lot is valued anew);
        `prices_version`: as the constructor's, for `price_of`."""
        self._price_of, self._price_moves, self._prices_of = price_of, price_moves, prices_of
        self._prices_version = prices_version
        self._dust.value(price_of, None, prices_of)  # every lot valued anew at the new source

    def dust_value(self) -> float:
        """The dust at the last known prices (counted in equity)."""
        moved = self._price_moves() if self._price_moves is not None else None
        return self._dust.value(self._price_of, moved, self._prices_of)

    def dust_cost(self) -> float:
        """What the dust cost (price and entry fees): no trade PnL has charged it yet."""
        return self._dust.cost()

    def equity(self, positions_value: float) -> float:
        """The bot's capital + the open positions' unrealised result (`positions_value`, marked by the
        caller, less their cost) + the dust's (value less cost)."""
        unrealised = positions_value - self._positions_cost() + self.dust_value() - self.dust_cost()
        return self._risk.capital + unrealised

    def equities_along(self, positions_value: float, dust_prices: PricePath) -> list[float]:
        """`equity(positions_value)` at each instant of a path of the dust's prices, nothing else changing
        (no trade, no position marked anew): the same arithmetic, once per instant."""
        held = positions_value - self._positions_cost()
        cost, capital = self.dust_cost(), self._risk.capital
        return [capital + (held + value - cost) for value in self._dust.values_along(dust_prices)]

    def equities_each(self, positions_values: Sequence[float], move_prices: Callable[[int], object],
                      instants: Sequence[int]) -> list[float]:
        """`equity(positions_values[i])` after `move_prices(instants[i])`, for each i: a replay's held
        minutes, where only prices move (no trade), so the positions' and the dust's costs are read once."""
        positions_cost, dust_cost, capital = self._positions_cost(), self.dust_cost(), self._risk.capital
        equities = []
        for held, instant in zip(positions_values, instants, strict=True):
            move_prices(instant)
            equities.append(capital + (held - positions_cost + self.dust_value() - dust_cost))
        return equities

    def equity_key(self) -> tuple[float, int, int] | None:
        """What `equity` depends on besides the positions: equal keys (and equal positions), equal equity.
        None while the dust's prices have no version (equity is then valued again at every call)."""
        version = self._prices_version
        if version is None:
            return None
        return self._risk.capital, self._dust.version, version()  # equity_inputs(), inline: asked often

    def equity_inputs(self) -> tuple[float, int]:
        """What `equity` depends on besides the positions and the prices: the capital and the dust's lots
        (equal inputs, equal prices: equal equity)."""
        return self._risk.capital, self._dust.version

    def record(self, trade: CompletedTrade) -> None:
        """A trade completed: count it in the risk book and store both (once), then export it."""
        key = trade_key(trade)
        if self._state is not None and self._state.has_trade(key):
            logger.bind(symbol=trade.symbol, mode=self._mode).info("Trade {} was already recorded", key)
            return
        self._risk.record_exit(trade, self._clock.now_ms())
        if self._state is not None:
            self._state.record_trade(key, trade, self._risk.to_dict())
        self._stale = True
        self._unjournaled.append((key, trade))
        self.flush()

    def export_stored(self) -> None:
        """Trades the store holds that never reached the journal (a crash in between): export them now."""
        if self._state is None:
            return
        waiting = {key for key, _ in self._unjournaled}
        self._unjournaled.extend(item for item in self._state.unexported_trades() if item[0] not in waiting)
        self.flush()

    def flush(self) -> bool:
        """Write the trades still waiting; True when none is left."""
        while self._unjournaled:
            key, trade = self._unjournaled[0]
            try:
                self._journal.record(trade)
            except Exception as exc:  # a disk or database error must not lose the trade nor stop the bot
                logger.bind(symbol=trade.symbol, mode=self._mode).error(
                    "Trade journal write failed ({}): {} trade(s) kept in memory, retried next tick", exc,
                    len(self._unjournaled))
                return False
            self._unjournaled.pop(0)
            if self._state is not None:
                self._state.mark_exported(key)
        return True
