"""The risk book's values: its limits (settings.risk), a trade it is asked about, its decision, and the
sizing rule (spec 6.1). Pure; RiskBook (risk.py) keeps the state that changes."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from domain.fast_init import fast_frozen_init


@dataclass(frozen=True, slots=True)
class RiskLimits:
    """The risk settings (settings.risk) the book enforces. Fractions: 0.02 = 2%."""

    initial_capital: float
    max_position_pct: float
    min_position_usdt: float
    max_loss_per_trade_pct: float
    max_daily_loss_pct: float
    max_drawdown_pct: float
    max_open_positions: int
    max_trades_per_hour: int
    max_trades_per_day: int
    cooldown_ms: int = 0  # after an exit, no new entry on that pair for this long (0: off)
    quote_asset: str = "USDT"  # what the capital and every amount are counted in (USDC, FDUSD, ...)

    def __post_init__(self) -> None:
        for name in ("initial_capital", "max_position_pct", "max_loss_per_trade_pct", "max_daily_loss_pct",
                     "max_drawdown_pct"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise ValueError(f"RiskLimits.{name} must be a finite positive number, got {value!r}")
        if not 0 < self.max_drawdown_pct < 1:
            raise ValueError(f"RiskLimits.max_drawdown_pct must be below 1, got {self.max_drawdown_pct}")
        if not (math.isfinite(self.min_position_usdt) and self.min_position_usdt >= 0):
            raise ValueError(f"RiskLimits.min_position_usdt must be >= 0, got {self.min_position_usdt!r}")
        for name in ("max_open_positions", "max_trades_per_hour", "max_trades_per_day"):
            if getattr(self, name) < 1:
                raise ValueError(f"RiskLimits.{name} must be at least 1, got {getattr(self, name)}")
        if self.cooldown_ms < 0:
            raise ValueError(f"RiskLimits.cooldown_ms must be >= 0, got {self.cooldown_ms}")


@fast_frozen_init
@dataclass(frozen=True, slots=True)
class TradeIntent:
    """A trade the bot would like to open: a long entered at `entry_price`, protected at `stop_loss_price`."""

    symbol: str
    entry_price: float
    stop_loss_price: float
    min_notional: Decimal | float
    time_ms: int


@fast_frozen_init
@dataclass(frozen=True, slots=True)
class Approved:
    size_usdt: float


@fast_frozen_init
@dataclass(frozen=True, slots=True)
class Rejected:
    reason: str
    rule: str = ""  # a stable name when the reason's figures change at every check ("cooldown")


RiskDecision = Approved | Rejected


def size_position(limits: RiskLimits, capital: float, entry: float, stop: float,
                  min_notional: Decimal | float) -> tuple[float, str | None]:
    """Spec 6.1: min(capital x max_position_pct, capital x max_loss_per_trade_pct / stop distance), in
    the quote asset; (0, why) when that is below min_position_usdt or the pair's min notional."""
    if not (math.isfinite(capital) and capital > 0):
        return 0.0, f"no capital to trade with ({capital!r} {limits.quote_asset})"
    if not (math.isfinite(entry) and entry > 0 and math.isfinite(stop) and 0 < stop < entry):
        return 0.0, f"a long needs 0 < stop_loss < entry, got stop {stop!r} and entry {entry!r}"
    stop_distance = (entry - stop) / entry
    by_pct = capital * limits.max_position_pct
    by_risk = capital * limits.max_loss_per_trade_pct / stop_distance
    size = min(by_pct, by_risk)
    floor = max(limits.min_position_usdt, float(min_notional))
    if size < floor:
        quote = limits.quote_asset
        return 0.0, (f"size {size:.2f} {quote} (min of {by_pct:.2f} by capital share and {by_risk:.2f} "
                     f"by risk at a {stop_distance:.2%} stop) is below the minimum {floor:.2f} {quote}")
    return size, None
