"""What a trading run keeps in the state store beyond orders and positions, and how it starts again
(issue 14): the risk book and the dust after every tick (when they changed), a ban with its expiry, and at
start-up: the last run's risk book and dust, a ban still running waited out before any call, the trades
the journal missed, then recovery (recover.py) before any entry.

The risk book is written at once when its counters, day or kill switch change; a move of the equity alone
(the peak in a rising market, the last mark on every tick) at most every `equity_every_ms`, so the store
is not synced on every market event (a crash forgets at most that much of a peak's rise).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from loguru import logger

from application.account import Account
from application.holdings import DustLedger, Lot
from application.recover import Recover, RecoveryFailed
from application.recover_holdings import load_state
from domain.risk import RiskBook
from domain.rules import SymbolRules
from domain.trading_state import Ban
from ports.clock import Clock
from ports.state_store import StateStore

EQUITY_EVERY_MS = 5_000
_EQUITY_KEYS = ("peak_equity", "last_equity")


def _counted(snapshot: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in snapshot.items() if k not in _EQUITY_KEYS}


class DurableRun:
    def __init__(self, state: StateStore, risk: RiskBook, dust: DustLedger, account: Account, clock: Clock,
                 recover: Recover, mode: str, equity_every_ms: int = EQUITY_EVERY_MS) -> None:
        self._state, self._risk, self._dust, self._account = state, risk, dust, account
        self._clock, self._recover, self._log = clock, recover, logger.bind(mode=mode)
        self._saved_risk, self._saved_at_ms, self._equity_every_ms = risk.to_dict(), 0, equity_every_ms
        self._saved_dust: dict[str, Lot] = {}

    async def resume(self) -> None:
        """Before the exchange is entered: the last run's book and dust; a ban still running is waited out."""
        load_state(self._state, self._risk, self._dust)
        self._saved_risk, self._saved_dust = self._risk.to_dict(), self._dust.lots()
        ban, now = self._state.ban(), self._clock.now_ms()
        if ban is not None and ban.active(now):
            self._log.warning("The exchange banned this IP until {} ms ({}): waiting {:.0f}s before any call",
                              ban.until_ms, ban.reason, (ban.until_ms - now) / 1000)
            await self._clock.sleep((ban.until_ms - now) / 1000)

    async def recover(self, rules: Mapping[str, SymbolRules], halt: Callable[[str], None]) -> bool:
        """Export what the journal missed, then recovery; False when it failed closed (`halt` was told)."""
        self._account.export_stored()
        try:
            await self._recover(rules)
        except RecoveryFailed as exc:
            halt(f"recovery: {exc}")
            return False
        finally:
            self.persist()
        return True

    def banned(self, retry_after_s: float, reason: str) -> None:
        until = self._clock.now_ms() + max(1, round(retry_after_s * 1000))
        self._state.save_ban(Ban(until, reason))

    def persist(self, *, force: bool = False) -> None:
        """The risk book and the dust to the store, when they changed (positions are written through);
        `force`: the equity too, however recent the last write (at stop)."""
        risk, now = self._risk.to_dict(), self._clock.now_ms()
        if _counted(risk) != _counted(self._saved_risk) or (risk != self._saved_risk and (
                force or now - self._saved_at_ms >= self._equity_every_ms)):
            self._state.save_risk(risk)
            self._saved_risk, self._saved_at_ms = risk, now
        dust = self._dust.lots()
        if dust != self._saved_dust:
            self._state.save_dust({s: (lot.quantity, lot.price, lot.fee_usdt) for s, lot in dust.items()})
            self._saved_dust = dust
