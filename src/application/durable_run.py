"""What a trading run keeps in the state store beyond orders and positions, and how it starts again
(issue 14): the risk book and the dust after every tick (when they changed), a ban with its expiry, and at
start-up: the last run's risk book and dust, a ban still running waited out before any call, the trades
the journal missed, then recovery (recover.py) before any entry.
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


class DurableRun:
    def __init__(self, state: StateStore, risk: RiskBook, dust: DustLedger, account: Account, clock: Clock,
                 recover: Recover, mode: str) -> None:
        self._state, self._risk, self._dust, self._account = state, risk, dust, account
        self._clock, self._recover, self._log = clock, recover, logger.bind(mode=mode)
        self._saved_risk = risk.to_dict()
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

    def persist(self) -> None:
        """The risk book and the dust to the store, when they changed (positions are written through)."""
        risk = self._risk.to_dict()
        if risk != self._saved_risk:
            self._state.save_risk(risk)
            self._saved_risk = risk
        dust = self._dust.lots()
        if dust != self._saved_dust:
            self._state.save_dust({s: (lot.quantity, lot.price, lot.fee_usdt) for s, lot in dust.items()})
            self._saved_dust = dust
