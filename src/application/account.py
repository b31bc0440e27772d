"""The account as the loop sees it: cash, equity, and the durable record of every completed trade.

Equity = quote balance (free + locked) + every base asset the bot holds marked at the last known price:
its open positions and its dust (holdings.py: what fees and lot steps left unsold; base assets the bot
did not buy are not its capital). The quote balance is re-read after every entry and exit; until that
succeeds equity is not marked (a stale cash figure next to a fresh position would fake a drawdown or hide
one). Trade PnL charges the cost of what was sold; the dust's unrealized result is what is left:
    equity change == sum of trade PnL + change in (dust_value() - dust_cost()).
A trade whose journal write fails is kept in memory, logged, and written again on every tick and at
stop: no record is ever lost silently.
"""

from __future__ import annotations

from collections.abc import Callable, Set
from decimal import Decimal

from loguru import logger

from application.exchange_calls import with_retries
from application.fills import PriceOf, no_prices
from application.holdings import DustLedger
from application.trading_config import RetryPolicy
from domain.orders import Balance
from domain.position import CompletedTrade
from domain.risk import RiskBook
from ports.clock import Clock
from ports.exchange import Exchange
from ports.journal import TradeJournal


class Account:
    def __init__(self, exchange: Exchange, clock: Clock, journal: TradeJournal, risk: RiskBook,
                 retry: RetryPolicy, quote_asset: str, mode: str, *, dust: DustLedger | None = None,
                 price_of: PriceOf = no_prices,
                 price_moves: Callable[[], Set[str] | None] | None = None) -> None:
        """`price_of(symbol)`: the last price seen of a symbol, to value the dust. `price_moves()`: the
        symbols whose `price_of` may have changed since its last call (None: any); without it the dust is
        valued anew on every call."""
        self._exchange, self._clock, self._journal, self._risk = exchange, clock, journal, risk
        self._retry, self._quote, self._mode = retry, quote_asset, mode
        self._dust, self._price_of = dust if dust is not None else DustLedger(mode), price_of
        self._price_moves = price_moves
        self._quote_free = Decimal(0)
        self._quote_total = Decimal(0)
        self._stale = True
        self._unjournaled: list[CompletedTrade] = []

    @property
    def quote_free(self) -> float:
        return float(self._quote_free)

    @property
    def quote_total(self) -> float:
        return float(self._quote_total)

    @property
    def balances_fresh(self) -> bool:
        return not self._stale

    @property
    def unjournaled(self) -> tuple[CompletedTrade, ...]:
        return tuple(self._unjournaled)

    def set_quote(self, free: Decimal, total: Decimal) -> None:
        self._quote_free, self._quote_total, self._stale = free, total, False

    def balances_changed(self) -> None:
        self._stale = True

    async def refresh(self) -> None:
        balances = await with_retries(self._exchange.balances, clock=self._clock, policy=self._retry,
                                      what="balances")
        quote = balances.get(self._quote, Balance(self._quote, Decimal(0), Decimal(0)))
        self.set_quote(quote.free, quote.total)

    def dust_value(self) -> float:
        """The dust at the last known prices (counted in equity)."""
        moved = self._price_moves() if self._price_moves is not None else None
        return self._dust.value(self._price_of, moved)

    def dust_cost(self) -> float:
        """What the dust cost (price and entry fees): no trade PnL has charged it yet."""
        return self._dust.cost()

    def equity(self, positions_value: float) -> float:
        """Quote balance + the open positions (`positions_value`, marked by the caller) + the dust."""
        return self.quote_total + positions_value + self.dust_value()

    def record(self, trade: CompletedTrade) -> None:
        """A trade completed: count it in the risk book, then write it durably (in order)."""
        self._risk.record_exit(trade, self._clock.now_ms())
        self._stale = True
        self._unjournaled.append(trade)
        self.flush()

    def flush(self) -> bool:
        """Write the trades still waiting; True when none is left."""
        while self._unjournaled:
            trade = self._unjournaled[0]
            try:
                self._journal.record(trade)
            except Exception as exc:  # a disk or database error must not lose the trade nor stop the bot
                logger.bind(symbol=trade.symbol, mode=self._mode).error(
                    "Trade journal write failed ({}): {} trade(s) kept in memory, retried next tick", exc,
                    len(self._unjournaled))
                return False
            self._unjournaled.pop(0)
        return True
