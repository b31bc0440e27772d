"""Live-mode preflight rules, one refusal each, and the stock taken of an account at start."""

from __future__ import annotations

from decimal import Decimal

from application.preflight import (
    EXIT_ACCOUNT_UNFIT,
    EXIT_NOT_CONFIGURED,
    KeyPermissions,
    RiskFigures,
    check_confirmation,
    check_keys,
    check_limits,
    check_permissions,
    take_stock,
)
from domain.orders import Balance, OrderReport, OrderStatus, OrderType
from domain.values import Side

RISK = RiskFigures(
    initial_capital=Decimal(30),
    max_position_pct=Decimal("0.2"),
    min_position_usdt=Decimal(5),
    max_drawdown_pct=Decimal("0.25"),
)


def test_keys_must_both_be_present() -> None:
    assert check_keys("k", "s", testnet=False) is None
    for key, secret in (("", "s"), ("k", None), (None, None)):
        refusal = check_keys(key, secret, testnet=False)
        assert refusal is not None and refusal.exit_code == EXIT_NOT_CONFIGURED
    testnet = check_keys(None, None, testnet=True)
    assert testnet is not None and "TESTNET" in testnet.reason


def test_confirmation_is_required() -> None:
    assert check_confirmation(True) is None
    refusal = check_confirmation(False)
    assert (
        refusal is not None
        and refusal.exit_code == EXIT_NOT_CONFIGURED
        and "--confirm-live" in refusal.reason
    )


def test_withdrawal_permission_is_refused_and_no_ip_restriction_warned() -> None:
    refusal, warnings = check_permissions(
        KeyPermissions(withdrawals_enabled=True, ip_restricted=True), testnet=False
    )
    assert refusal is not None and refusal.exit_code == EXIT_ACCOUNT_UNFIT and warnings == []
    refusal, warnings = check_permissions(
        KeyPermissions(withdrawals_enabled=False, ip_restricted=False), testnet=False
    )
    assert refusal is None and len(warnings) == 1 and "IP" in warnings[0]
    assert check_permissions(KeyPermissions(False, True), testnet=False) == (None, [])


def test_unreadable_permissions_refuse_production_but_not_the_testnet() -> None:
    refusal, _ = check_permissions(None, testnet=False)
    assert refusal is not None and refusal.exit_code == EXIT_ACCOUNT_UNFIT
    refusal, warnings = check_permissions(None, testnet=True)
    assert refusal is None and warnings


def test_limits_must_fit_the_balance() -> None:
    assert check_limits(Decimal(30), RISK, "USDT") is None
    too_poor = check_limits(Decimal(4), RISK, "USDT")
    assert too_poor is not None and "below the smallest position" in too_poor.reason
    # 20% of 20 USDT is 4 USDT: below the 5 USDT minimum, no trade could ever open.
    tiny_positions = check_limits(Decimal(20), RISK, "USDT")
    assert tiny_positions is not None and "max_position_pct" in tiny_positions.reason
    # Configured for 100 USDT with 60 on the account: the drawdown is already past 25%.
    wrong_capital = check_limits(
        Decimal(60), RiskFigures(Decimal(100), Decimal("0.2"), Decimal(5), Decimal("0.25")), "USDT"
    )
    assert wrong_capital is not None and "kill switch" in wrong_capital.reason
    strict_pair = check_limits(Decimal(30), RISK, "USDT", min_notional=Decimal(10))
    assert strict_pair is not None and strict_pair.exit_code == EXIT_ACCOUNT_UNFIT


class StockExchange:
    """Just what take_stock reads."""

    async def balances(self) -> dict[str, Balance]:
        return {
            "USDT": Balance("USDT", Decimal(25), Decimal(5)),
            "XRP": Balance("XRP", Decimal(0), Decimal(12)),
            "BNB": Balance("BNB", Decimal("0.1"), Decimal(0)),
            "DOGE": Balance("DOGE", Decimal(0), Decimal(0)),
        }

    async def open_orders(self, symbol: str | None = None) -> list[OrderReport]:
        return [
            OrderReport(
                "XRPUSDT",
                7,
                "old-oco-sl",
                Side.SELL,
                OrderType.STOP_LOSS_LIMIT,
                OrderStatus.NEW,
                Decimal(12),
                Decimal(0),
                Decimal(0),
            )
        ]


async def test_take_stock_finds_free_quote_open_orders_and_held_assets() -> None:
    stock = await take_stock(StockExchange(), "USDT")  # type: ignore[arg-type]
    assert stock.quote_free("USDT") == Decimal(25)
    assert [o.order_id for o in stock.open_orders] == [7]
    assert stock.held_assets == {"XRP": Decimal(12)}  # BNB is kept for fees; zero balances are not held
