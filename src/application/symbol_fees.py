"""What each symbol's trades really cost, in backtest, paper and live alike.

The configured fee table (execution.fees + execution.symbol_fees) is the start and the fallback; when
the exchange knows the account's rates (ports.exchange.CommissionRates: Binance's account commission
endpoint, or the simulator's own table) they replace it symbol by symbol, fetched when a symbol is
about to be scored (the adapter caches them). When the exchange cannot say, the configured rates stay,
one log line says so, and that symbol is not asked again for `retry_ms` (the endpoint costs weight 20).

`ev_shift_pct` is what the EV gate adds to a model's expected net return on a symbol: the model was
priced at the configured default round trip, so a zero-fee pair earns back the whole default fee and a
dearer pair loses the difference. It is exactly 0.0 for a symbol at the default rates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from loguru import logger

from domain.fee_table import FeeTable
from domain.time_units import HOUR_MS
from ports.errors import ExchangeError
from ports.exchange import CommissionRates


def _never() -> int:
    return 0


class SymbolFees:
    def __init__(self, configured: FeeTable, source: CommissionRates | None = None, *,
                 maker_exit: bool = True, mode: str = "paper", now_ms: Callable[[], int] = _never,
                 retry_ms: int = HOUR_MS) -> None:
        self._table, self._source, self._maker_exit = configured, source, maker_exit
        self._log = logger.bind(mode=mode)
        self._fell_back = False
        self._now_ms, self._retry_ms = now_ms, retry_ms
        self._failed_ms: dict[str, int] = {}

    @property
    def table(self) -> FeeTable:
        return self._table

    def taker(self, symbol: str) -> float:
        return self._table.for_symbol(symbol).effective_taker

    def maker(self, symbol: str) -> float:
        return self._table.for_symbol(symbol).effective_maker

    def ev_shift_pct(self, symbol: str) -> float:
        return self._table.round_trip_shift_pct(symbol, maker_exit=self._maker_exit)

    async def load(self, symbols: Iterable[str]) -> None:
        """Ask the exchange for these symbols' rates (cached by it); keep the configured ones when it
        cannot answer."""
        if self._source is None:
            return
        for symbol in symbols:
            failed = self._failed_ms.get(symbol)
            if failed is not None and self._now_ms() - failed < self._retry_ms:
                continue
            try:
                schedule = await self._source.commission(symbol)
            except ExchangeError as exc:
                self._failed_ms[symbol] = self._now_ms()
                if not self._fell_back:
                    self._fell_back = True
                    self._log.warning("Commission rates unavailable from the exchange ({}): using the "
                                      "configured fee table", exc)
                continue
            known = self._table.for_symbol(symbol)
            if (known.effective_taker, known.effective_maker) != (schedule.effective_taker,
                                                                   schedule.effective_maker):
                self._table = self._table.with_symbol(symbol, schedule)
                self._log.bind(symbol=symbol).info(
                    "Fees on {}: taker {:.4%}, maker {:.4%} (effective, from the exchange)", symbol,
                    schedule.effective_taker, schedule.effective_maker)
