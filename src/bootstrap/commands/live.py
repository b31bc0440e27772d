"""`live`: trade real money on Binance spot, after a preflight that refuses anything unsafe.

    python -m bootstrap live --confirm-live              # PRODUCTION: real orders, real money
    python -m bootstrap live --testnet --confirm-live    # the spot TESTNET: testnet keys and URLs

The first line printed says which: PRODUCTION or TESTNET. `binance.testnet: true` in the config (default
false) also selects the testnet.

Refusals are one line on stderr: exit 2 when the keys, the explicit confirmation or the model are
missing; exit 3 when the account is not fit (a key that can withdraw, limits the balance cannot honour,
keys Binance rejects, Binance unreachable). Then the account is read (balances, open orders, assets
left by an earlier run) and the trading loop runs until Ctrl-C / SIGTERM (exit 0), or until the kill
switch or a halt stops it (exit 4): the kill switch cancels open orders and sells positions at market.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from decimal import Decimal
from typing import Any

from loguru import logger

from adapters.binance.exchange import BinanceExchange
from application.preflight import (
    EXIT_ACCOUNT_UNFIT,
    EXIT_NOT_CONFIGURED,
    TYPICAL_MIN_NOTIONAL,
    AccountStock,
    KeyPermissions,
    Refusal,
    RiskFigures,
    check_confirmation,
    check_keys,
    check_limits,
    check_permissions,
    take_stock,
)
from bootstrap.console_wiring import console_beside
from bootstrap.container import Container, build_container
from bootstrap.runtime import run_until_stopped
from bootstrap.settings_model import Settings
from ports.errors import AuthenticationFailed, ConfigurationError, ExchangeError

EXIT_HALTED = 4
LIVE_REFUSES_GATE_OVERRIDE = ("live: --ignore-edge-gate refused: real orders need the EV gate; rehearse "
                              "without an edge with paper or backtest")


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "live", help="live trading on Binance spot: PRODUCTION (real money), or --testnet",
        description="Trade on Binance spot through the same loop as the backtest and paper. Without "
                    "--testnet this is PRODUCTION: real orders with real money (BINANCE_API_KEY/SECRET). "
                    "With --testnet: Binance's spot testnet (BINANCE_TESTNET_API_KEY/SECRET).",
        epilog="examples:\n  python -m bootstrap live --testnet --confirm-live   # rehearse on the testnet\n"
               "  python -m bootstrap live --confirm-live             # PRODUCTION, real money")
    parser.add_argument("--confirm-live", action="store_true",
                        help="confirm that real orders may be placed (or set trading.confirm_live: true)")
    parser.add_argument("--testnet", action="store_true",
                        help="use the Binance spot testnet instead of production (also when "
                             "binance.testnet: true)")
    parser.add_argument("--duration", type=float, default=None, metavar="SECONDS",
                        help="stop by itself after this many seconds (wall clock)")
    parser.add_argument("--ignore-edge-gate", action="store_true",
                        help="refused: live trading keeps the EV gate (rehearse with paper or backtest)")
    parser.set_defaults(run=run)


def live_settings(settings: Settings, testnet: bool) -> Settings:
    """This run's settings: live mode, and the testnet when asked on the command line."""
    return settings.model_copy(update={"trading": settings.trading.model_copy(update={"mode": "live"}),
                                       "binance": settings.binance.model_copy(update={"testnet": testnet})})


def venue_line(testnet: bool) -> str:
    """The first line `live` prints: where the orders will go, in capitals."""
    if testnet:
        return "live: Binance spot TESTNET (test money; BINANCE_TESTNET_API_KEY/SECRET)"
    return "live: Binance spot PRODUCTION (real orders, real money; BINANCE_API_KEY/SECRET)"


def refuse(refusal: Refusal) -> int:
    print(refusal.reason, file=sys.stderr)
    return refusal.exit_code


def run(args: argparse.Namespace, settings: Settings) -> int:
    if getattr(args, "ignore_edge_gate", False):  # before anything else: real money needs an edge
        return refuse(Refusal(LIVE_REFUSES_GATE_OVERRIDE, EXIT_NOT_CONFIGURED))
    settings = live_settings(settings, bool(args.testnet or settings.binance.testnet))
    b = settings.binance
    print(venue_line(b.testnet), flush=True)
    key, secret = (b.testnet_api_key, b.testnet_api_secret) if b.testnet else (b.api_key, b.api_secret)
    confirmed = bool(args.confirm_live or settings.trading.confirm_live)
    refusal = check_keys(key.get_secret_value() if key else None,
                         secret.get_secret_value() if secret else None, testnet=b.testnet) \
        or check_confirmation(confirmed)
    if refusal is None and args.duration is not None and not args.duration > 0:
        refusal = Refusal("live: --duration must be positive", EXIT_NOT_CONFIGURED)
    if refusal is not None:
        return refuse(refusal)
    container = build_container(settings, "live")
    try:
        model = container.model()  # before any network: a missing or corrupt model stops here
        container.trade_journal()  # and so does an unwritable journal path
    except ConfigurationError as exc:
        return refuse(Refusal(f"live mode refused: {exc}", EXIT_NOT_CONFIGURED))
    venue = "spot TESTNET" if b.testnet else "PRODUCTION spot market"
    logger.info("Live mode on the Binance {}, model {}", venue, model.version)
    return asyncio.run(start_live(settings, container, duration_sec=args.duration))


async def start_live(settings: Settings, container: Container, *, duration_sec: float | None = None) -> int:
    """Preflight and stock-taking on the exchange, then the trading loop (which enters the exchange
    again itself: the preflight's session is closed by then)."""
    exchange: BinanceExchange = container.exchange()
    try:
        async with exchange:
            outcome = await preflight(settings, exchange)
    except AuthenticationFailed as exc:
        outcome = Refusal(f"live mode refused: Binance rejected the API key ({exc})",
                          EXIT_ACCOUNT_UNFIT)
    except ExchangeError as exc:
        outcome = Refusal(f"live mode refused: Binance could not be used at start ({exc})",
                          EXIT_ACCOUNT_UNFIT)
    if isinstance(outcome, Refusal):
        return refuse(outcome)
    try:
        async with console_beside(container, settings, "live"):  # when console.enabled
            loop = container.trading_loop()  # the same exchange object: it is entered again by the loop
            reason = await run_until_stopped(loop, duration_sec=duration_sec)
    except (ExchangeError, ConfigurationError) as exc:
        return refuse(Refusal(f"live mode could not start trading: {exc}", EXIT_ACCOUNT_UNFIT))
    open_positions = len(loop.open_positions())
    print(f"live: stopped ({reason}); {open_positions} position(s) still open on the exchange, each under "
          "its OCO", file=sys.stderr)
    return EXIT_HALTED if reason.startswith(("halted", "kill switch")) else 0


async def preflight(settings: Settings, exchange: BinanceExchange) -> AccountStock | Refusal:
    testnet, quote = settings.binance.testnet, settings.trading.quote_asset
    restrictions = await exchange.api_restrictions()
    permissions = None if restrictions is None else KeyPermissions(restrictions.enable_withdrawals,
                                                                   restrictions.ip_restrict)
    refusal, warnings = check_permissions(permissions, testnet=testnet)
    for warning in warnings:
        logger.warning("Preflight: {}", warning)
    if refusal is not None:
        return refusal
    stock = await take_stock(exchange, quote)
    rules = await exchange.symbol_rules()
    min_notional = max((rules[s].min_notional for s in settings.trading.symbols if s in rules),
                       default=TYPICAL_MIN_NOTIONAL)
    refusal = check_limits(stock.quote_free(quote), _risk(settings), quote, min_notional)
    if refusal is not None:
        return refusal
    logger.info("Account at start: {} {} free, {} open order(s), held assets {}", stock.quote_free(quote),
                quote, len(stock.open_orders), dict(stock.held_assets) or "none")
    for order in stock.open_orders:
        logger.warning("Open order from an earlier run: {} {} {} {} ({})", order.symbol, order.side.value,
                       order.type.value, order.quantity, order.client_order_id)
    return stock


def _risk(settings: Settings) -> RiskFigures:
    r = settings.risk
    return RiskFigures(initial_capital=_dec(r.initial_capital), max_position_pct=_dec(r.max_position_pct),
                       min_position_usdt=_dec(r.min_position_usdt), max_drawdown_pct=_dec(r.max_drawdown_pct))


def _dec(value: float) -> Decimal:
    return Decimal(repr(value))
