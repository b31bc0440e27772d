"""Before live trading: refuse to start unless it is safe, then take stock of the account.

Each check returns None or a Refusal naming one reason in one line; `exit_code` 2 is a missing local
decision (keys, confirmation), 3 an account that is not fit for the bot (withdraw-enabled key, limits
the balance cannot honour). `take_stock` reads the account through the Exchange port: balances, open
orders and the assets held from an earlier run, so nothing starts blind.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from domain.orders import Balance, OrderReport
from ports.exchange import Exchange

EXIT_NOT_CONFIGURED = 2
EXIT_ACCOUNT_UNFIT = 3
TYPICAL_MIN_NOTIONAL = Decimal(5)  # USDT pairs in 2026; the pair's own filter is used when known


@dataclass(frozen=True, slots=True)
class Refusal:
    reason: str
    exit_code: int


@dataclass(frozen=True, slots=True)
class KeyPermissions:
    """What GET /sapi/v1/account/apiRestrictions says; None where the venue has no such endpoint."""

    withdrawals_enabled: bool
    ip_restricted: bool


@dataclass(frozen=True, slots=True)
class RiskFigures:
    initial_capital: Decimal
    max_position_pct: Decimal
    min_position_usdt: Decimal
    max_drawdown_pct: Decimal


def check_keys(api_key: str | None, api_secret: str | None, *, testnet: bool) -> Refusal | None:
    if api_key and api_secret:
        return None
    names = "BINANCE_TESTNET_API_KEY and BINANCE_TESTNET_API_SECRET" if testnet else \
        "BINANCE_API_KEY and BINANCE_API_SECRET"
    return Refusal(f"live mode refused: no API key/secret; set {names} (environment or .env)",
                   EXIT_NOT_CONFIGURED)


def check_confirmation(confirmed: bool) -> Refusal | None:
    if confirmed:
        return None
    return Refusal("live mode refused: real orders need an explicit confirmation; pass --confirm-live "
                   "or set trading.confirm_live: true", EXIT_NOT_CONFIGURED)


def check_permissions(permissions: KeyPermissions | None, *,
                      testnet: bool) -> tuple[Refusal | None, list[str]]:
    """A key that can withdraw is refused; one without an IP restriction is only warned about."""
    if permissions is None:
        if testnet:
            return None, ["the testnet has no /sapi: the key's withdrawal permission cannot be checked there"]
        return Refusal("live mode refused: the key's permissions could not be read "
                       "(GET /sapi/v1/account/apiRestrictions)", EXIT_ACCOUNT_UNFIT), []
    if permissions.withdrawals_enabled:
        return Refusal("live mode refused: this API key can withdraw funds; create a key without the "
                       "withdrawal permission", EXIT_ACCOUNT_UNFIT), []
    warnings = [] if permissions.ip_restricted else [
        "the API key has no IP restriction: restrict it to this machine's IP in the Binance API settings"]
    return None, warnings


def check_limits(quote_balance: Decimal, risk: RiskFigures, quote_asset: str,
                 min_notional: Decimal = TYPICAL_MIN_NOTIONAL) -> Refusal | None:
    """The configured risk must be possible with the money really on the account."""
    floor = max(risk.min_position_usdt, min_notional)
    if quote_balance < floor:
        return Refusal(f"live mode refused: {quote_balance} {quote_asset} free is below the smallest "
                       f"position ({floor} {quote_asset})", EXIT_ACCOUNT_UNFIT)
    position = risk.max_position_pct * min(quote_balance, risk.initial_capital)
    if position < floor:
        return Refusal(f"live mode refused: risk.max_position_pct {risk.max_position_pct} x {quote_balance} "
                       f"{quote_asset} = {position:.2f}, below the smallest position {floor} {quote_asset}; "
                       "no trade could ever be opened", EXIT_ACCOUNT_UNFIT)
    kill_level = risk.initial_capital * (1 - risk.max_drawdown_pct)
    if quote_balance <= kill_level:
        return Refusal(f"live mode refused: risk.initial_capital is {risk.initial_capital} {quote_asset} but "
                       f"only {quote_balance} is on the account: the kill switch "
                       f"({risk.max_drawdown_pct:.0%} drawdown) would fire at once; set risk.initial_capital "
                       "to the real balance", EXIT_ACCOUNT_UNFIT)
    return None


@dataclass(frozen=True, slots=True)
class AccountStock:
    """The account as found at start."""

    balances: Mapping[str, Balance]
    open_orders: Sequence[OrderReport]
    held_assets: Mapping[str, Decimal]  # non-quote assets with a balance: bought by an earlier run?

    def quote_free(self, quote_asset: str) -> Decimal:
        balance = self.balances.get(quote_asset)
        return balance.free if balance is not None else Decimal(0)


async def take_stock(exchange: Exchange, quote_asset: str,
                     ignore_assets: Sequence[str] = ("BNB",)) -> AccountStock:
    """Balances, open orders and held assets, read before the first trade."""
    balances = await exchange.balances()
    open_orders = await exchange.open_orders()
    held = {asset: b.total for asset, b in balances.items()
            if asset != quote_asset and asset not in ignore_assets and b.total > 0}
    return AccountStock(balances=balances, open_orders=list(open_orders), held_assets=held)
