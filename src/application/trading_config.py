"""The tunables the trading use cases read, as plain frozen values (the application never sees pydantic).

Bootstrap builds a `LoopConfig` from the settings (the bootstrap/mapping package); tests build one
directly. Times are integer milliseconds, fractions are fractions (0.004 = 0.4%).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from domain.features import WARMUP_BARS
from domain.fee_table import FeeTable
from domain.fees import FeeSchedule
from domain.model_health import HealthBounds
from domain.position import ExitPolicy
from domain.signal import SignalThresholds


class OrphanPolicy(StrEnum):
    """What to do with a base asset found on the account without a position of ours."""

    LEAVE = "leave"  # report it (WARNING) and never touch it: the safe default
    SELL = "sell"  # market-sell it


class HoldingPolicy(StrEnum):
    """What start-up recovery does with a holding that has no protection (issue 14)."""

    PROTECT = "protect"  # an OCO over it at once (a market sale when no OCO is possible)
    SELL = "sell"  # sell it at market
    LEAVE = "leave"  # report it and never touch it


class OrphanOrderPolicy(StrEnum):
    """What start-up recovery does with an order of this bot that no stored position owns."""

    ADOPT = "adopt"  # an OCO over a recorded entry becomes its position again; any other is cancelled
    CANCEL = "cancel"  # every such order is cancelled (never left to fill the algo-order quota)


@dataclass(frozen=True, slots=True)
class RecoveryConfig:
    naked_holdings: HoldingPolicy = HoldingPolicy.PROTECT  # bought by this bot, not protected
    unrecorded_holdings: HoldingPolicy = HoldingPolicy.LEAVE  # on the account without any record
    orphan_orders: OrphanOrderPolicy = OrphanOrderPolicy.ADOPT
    # False for paper: its simulated account is born again on every start, so the positions and orders of
    # the last run are gone with it (the risk book, kill switch and bans are still honoured).
    exchange_remembers: bool = True


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How a use case retries one exchange call the loop allows it to retry (same request, same id)."""

    attempts: int = 3
    first_delay_s: float = 0.5
    max_delay_s: float = 4.0
    max_rate_limit_wait_s: float = 10.0  # a longer Retry-After goes back to the loop, which pauses


@dataclass(frozen=True, slots=True)
class ExecutionConfig:
    taker_fee_rate: float = 0.001
    maker_fee_rate: float = 0.001
    maker_entries: bool = False
    maker_entry_timeout_ms: int = 20_000
    # The stop-loss leg is a STOP_LOSS_LIMIT when the pair has no STOP_LOSS market type: its limit rests
    # this far below the stop so a fast drop still fills it.
    stop_limit_buffer_pct: float = 0.002
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    # The OCO take-profit leg: LIMIT_MAKER (maker fee) when True, else TAKE_PROFIT(_LIMIT) (taker fee).
    maker_take_profit: bool = True
    # Before buying, the entry check assumes the fill lands anywhere this far from the signal price.
    entry_fill_band_pct: float = 0.005
    # Per-symbol rates (application/symbol_fees.py); None: every symbol pays the two rates above.
    fees: FeeTable | None = None

    @property
    def fee_table(self) -> FeeTable:
        if self.fees is not None:
            return self.fees
        return FeeTable(FeeSchedule(self.taker_fee_rate, self.maker_fee_rate))


@dataclass(frozen=True, slots=True)
class LoopConfig:
    thresholds: SignalThresholds
    exit_policy: ExitPolicy
    mode: str = "paper"
    quote_asset: str = "USDT"
    symbols: tuple[str, ...] = ()  # the scanner's universe when no SymbolUniverse is given
    scan_interval_ms: int = 2_000
    top_candidates: int = 10
    max_symbols_active: int = 5
    stats_interval_ms: int = 60_000
    order_poll_interval_ms: int = 1_000  # at most one OCO status query per position this often
    reconcile_interval_ms: int = 300_000
    universe_refresh_ms: int = 3_600_000
    warmup_bars: int = WARMUP_BARS
    orphan_policy: OrphanPolicy = OrphanPolicy.LEAVE
    orphan_ignored_assets: tuple[str, ...] = ("BNB",)  # kept on purpose (BNB pays discounted fees)
    max_feed_restarts: int = 5  # consecutive failures of the event stream before the loop halts
    execution: ExecutionConfig = field(default_factory=ExecutionConfig)
    recovery: RecoveryConfig = field(default_factory=RecoveryConfig)
    model_health: HealthBounds | None = None  # None: the model is not watched (backtests)
    lab_gate_closed: str | None = None  # why the lab's gate keeps the model from trading (None: passed)

