"""`paper`: the whole trading loop (spec 2.2) on live market data, orders simulated against the live book.

    python -m bootstrap paper                                   # Binance's public streams, no key needed
    python -m bootstrap paper --venue http://127.0.0.1:8765     # a local venue: fully offline rehearsal
    python -m bootstrap paper --symbols BTCUSDT,ETHUSDT --duration 3600
    python -m bootstrap paper --venue http://127.0.0.1:8765 --ignore-edge-gate   # rehearse without an edge

Trades go to the paper journal (logs/trades.paper.csv / .jsonl), never mixed with real ones. Ctrl-C or
SIGTERM stops after the current step: open positions are reported with their OCO, the journal is
flushed, the final stats line is printed; exit 0 (4 when the kill switch or a halt stopped it). A start-up
failure is one line on stderr: exit 2 for the configuration (model missing or corrupt), 3 when the market
or the venue cannot be reached.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from typing import Any

from dependency_injector import providers
from loguru import logger

from adapters.binance.server_clock import venue_clock
from application.trading_loop import TradingLoop
from bootstrap.console_wiring import console_beside
from bootstrap.container import Container, build_container
from bootstrap.mapping import EV_GATE_FLAG_NOTE, EV_GATE_OVERRIDDEN, market_urls, without_edge_gate
from bootstrap.runtime import run_until_stopped
from bootstrap.settings_model import Settings
from domain.stats import compute_stats, format_stats_line
from ports.errors import ExchangeError

EXIT_USAGE = 2
EXIT_UNREACHABLE = 3
EXIT_HALTED = 4  # the kill switch fired or the loop halted on an error it cannot trade through
EXIT_INTERRUPTED = 130


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "paper", help="paper trading: live market data, orders simulated against the live order book")
    parser.add_argument("--venue", default=None, metavar="URL",
                        help="a local venue (http://127.0.0.1:PORT) for both REST and WebSocket instead of "
                             "Binance: an offline rehearsal on recorded data")
    parser.add_argument("--speed", type=float, default=None,
                        help="the venue's replay speed (default: measured from its clock)")
    parser.add_argument("--duration", type=float, default=None, metavar="SECONDS",
                        help="stop by itself after this many seconds (wall clock)")
    parser.add_argument("--symbols", default=None, metavar="A,B",
                        help="trade only these pairs (instead of the dynamic universe)")
    parser.add_argument("--ignore-edge-gate", action="store_true",
                        help="rehearsal: trade signals without the EV gate (no edge required); every signal "
                             "line and the final report say so")
    parser.set_defaults(run=run)


def paper_settings(settings: Settings, venue: str | None, symbols: str | None) -> Settings:
    """The settings of this run: paper mode, the venue's URLs, the chosen pairs. ValueError when bad."""
    trading, binance, scanner = settings.trading, settings.binance, settings.scanner
    trading = trading.model_copy(update={"mode": "paper"})
    if symbols is not None:
        chosen = [s.strip().upper().replace("/", "") for s in symbols.split(",") if s.strip()]
        if not chosen or not all(s.isalnum() for s in chosen):
            raise ValueError(f"--symbols {symbols!r}: expected pairs separated by commas (BTCUSDT,ETHUSDT)")
        trading = trading.model_copy(update={"symbols": chosen})
        scanner = scanner.model_copy(update={"dynamic_symbols": False})
    if venue is not None:
        base = venue.rstrip("/")
        if not base.startswith(("http://", "https://")) or not base.split("://", 1)[1]:
            raise ValueError(f"--venue {venue!r}: expected the venue's REST base, e.g. http://127.0.0.1:8765")
        binance = binance.model_copy(update={"rest_url": base, "ws_url": "ws" + base[len("http"):]})
    return settings.model_copy(update={"trading": trading, "binance": binance, "scanner": scanner})


def run(args: argparse.Namespace, settings: Settings) -> int:
    try:
        settings = paper_settings(settings, args.venue, args.symbols)
    except ValueError as exc:
        print(f"paper: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if any(value is not None and not value > 0 for value in (args.duration, args.speed)):
        print("paper: --duration and --speed must be positive", file=sys.stderr)
        return EXIT_USAGE
    if getattr(args, "ignore_edge_gate", False):
        settings = without_edge_gate(settings)
        logger.warning(EV_GATE_OVERRIDDEN)
    container = build_container(settings, "paper")
    model = container.model()  # a missing or corrupt model is a ConfigurationError: exit 2, one line
    container.trade_journal()  # so is an unwritable journal path: refused before any network
    ws_url, rest_url = market_urls(settings, "paper")
    logger.info("Paper mode: model {} ({}); market data {} (REST {}){}; simulated account {:g} {}",
                model.version, getattr(model, "path", settings.model.path), ws_url, rest_url,
                " = local venue" if args.venue else "", settings.risk.initial_capital,
                settings.trading.quote_asset)
    try:
        return asyncio.run(_trade(container, settings, args))
    except ExchangeError as exc:
        print(f"paper mode could not start: {exc}", file=sys.stderr)
        return EXIT_UNREACHABLE
    except KeyboardInterrupt:  # Ctrl-C before the loop's own handlers are in place: nothing was traded
        print("paper mode interrupted during start-up", file=sys.stderr)
        return EXIT_INTERRUPTED


async def _trade(container: Container, settings: Settings, args: argparse.Namespace) -> int:
    if args.venue:
        clock = await venue_clock(market_urls(settings, "paper")[1], speed=args.speed)
        container.clock.override(providers.Object(clock))
        logger.info("Trading time follows the venue's clock: x{:g}", clock.speed)
    async with console_beside(container, settings, "paper", venue_url=args.venue):  # when console.enabled
        loop = container.trading_loop()  # the model's EV gate raises the settings' margin (loop_config)
        started = time.monotonic()
        reason = await run_until_stopped(loop, duration_sec=args.duration)
    _report(loop, container, settings, reason, time.monotonic() - started,
            gate_overridden=getattr(args, "ignore_edge_gate", False))
    return EXIT_HALTED if reason.startswith(("halted", "kill switch")) else 0


def _report(loop: TradingLoop, container: Container, settings: Settings, reason: str,
            elapsed_sec: float, *, gate_overridden: bool = False) -> None:
    """The last lines on stdout: why it stopped, what this run traded, what is still open, and this
    run's stats (its trades against its own simulated account; the journal keeps every run's)."""
    journal = container.trade_journal()
    trades = loop.run_trades()
    print(f"paper: stopped ({reason}) after {elapsed_sec:.1f} s: {len(trades)} trade(s) journaled in "
          f"{journal.csv_path} and {journal.jsonl_path}")
    if gate_overridden:
        print(f"paper: {EV_GATE_FLAG_NOTE}: a rehearsal of the pipeline, not evidence of an edge")
    positions = loop.open_positions()
    for position in positions:
        protection = (f"protected by OCO {position.oco_list_id} (TP {position.take_profit_price:.8g}, "
                      f"SL {position.stop_loss_price:.8g})" if position.oco_list_id >= 0 else "NOT protected")
        print(f"paper: still open: {position.symbol} {position.quantity:g} @ {position.entry_price:.8g}, "
              f"{protection}")
    if not positions:
        print("paper: no position open")
    now = container.clock().now_ms()
    risk = container.risk_book()
    stats = compute_stats(trades, settings.risk.initial_capital)
    print(format_stats_line(stats, risk.daily_pnl(now), risk.day_start_capital(now)), flush=True)
