"""`venue`: serve recorded data as a local Binance-compatible venue on 127.0.0.1 until Ctrl-C.

    python -m bootstrap venue --data data/sample --start 2026-04-01 --speed 60
    python -m bootstrap venue --data ../shared/data/freqtrade_userdata --start 2021-05-01 --symbols BTC/USDT

Point `binance.rest_url` / `binance.ws_url` (and the testnet ones) at the printed URLs and paper mode runs
offline against the replay. The trading routes are added when the venue's trading side is installed.
The venue's account pays the config's fees (execution: rates, BNB discount, symbol_fees per symbol).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import sys
from typing import Any

from adapters.history.schema import HistoryDataError
from adapters.simulated.costs import SimulatorCosts
from adapters.simulated.venue.app import create_venue_app, serve_venue
from adapters.simulated.venue.data import VenueData, load_venue_data, parse_day
from bootstrap import mapping
from bootstrap.commands.arguments import add_data_option, data_paths, symbol_list
from bootstrap.progress import loading_bars
from bootstrap.settings_model import Settings

EXIT_BAD_OPTION = 2
EXIT_BAD_DATA = 3


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "venue", help="serve recorded data as a local Binance-compatible venue (REST + WebSocket)")
    add_data_option(parser, required=True,
                    help_text="1m klines (shared-data CSVs, Binance archives, the Parquet cache)")
    parser.add_argument("--symbols", nargs="+", default=None,
                        help="only these symbols, BTCUSDT or BTC/USDT (default: all in the data)")
    parser.add_argument("--start", default=None, help="YYYY-MM-DD (UTC) the venue clock starts at "
                                                      "(default: a day into the data)")
    parser.add_argument("--minutes", type=int, default=3 * 1440,
                        help="minutes replayed after the start (default: 3 days; memory grows with it)")
    parser.add_argument("--speed", type=float, default=60.0, help="simulated seconds per real second")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--no-trading", action="store_true", help="market data only")
    parser.set_defaults(run=run)


def venue_costs(settings: Settings) -> SimulatorCosts:
    """The venue account's fees as the config says (execution: rates, BNB discount, symbol_fees): what it
    charges and answers to GET /api/v3/account/commission. No simulated latency: the network is real."""
    return dataclasses.replace(mapping.paper_simulator_costs(settings), latency_ms=0)


def _trading_setup(enabled: bool, costs: SimulatorCosts) -> list[Any]:
    if not enabled:
        return []
    try:  # the trading side lives in its own modules; without them the venue serves market data only
        import adapters.simulated.venue.ws_api  # noqa: F401
        from adapters.simulated.venue.trading import trading_setup
        from adapters.simulated.venue.trading_desk import TradingConfig
    except ImportError as exc:
        print(f"venue: trading routes unavailable ({exc}); serving market data only", file=sys.stderr)
        return []
    return [trading_setup(TradingConfig(costs=costs))]


async def _serve(data: VenueData, args: argparse.Namespace, start_ms: int | None,
                 costs: SimulatorCosts) -> None:
    app = create_venue_app(data, speed=args.speed, start_ms=start_ms,
                           extra_setup=_trading_setup(not args.no_trading, costs))
    async with serve_venue(app, host=args.host, port=args.port) as venue:
        state = venue.state
        print(f"venue: {len(data.symbols)} symbols ({', '.join(data.symbols[:8])}"
              f"{', ...' if len(data.symbols) > 8 else ''}), clock at {state.clock.now_ms()} ms, "
              f"speed x{args.speed:g}")
        print(f"REST: {venue.rest_url}")
        print(f"WS:   {venue.ws_url}   (combined streams: {venue.ws_url}/stream)")
        print("Ctrl-C to stop", flush=True)
        await asyncio.Event().wait()


def run(args: argparse.Namespace, settings: Settings) -> int:
    try:
        start_ms = parse_day(args.start) if args.start else None
        paths = data_paths(args.data)
        symbols = symbol_list(args.symbols)
    except ValueError as exc:  # ArgumentProblem is a ValueError
        print(f"venue: {exc}", file=sys.stderr)
        return EXIT_BAD_OPTION
    if args.speed <= 0:
        print(f"venue: --speed must be positive, got {args.speed}", file=sys.stderr)
        return EXIT_BAD_OPTION
    try:
        data = load_venue_data(paths, symbols=symbols, start_ms=start_ms, minutes=args.minutes,
                               progress=loading_bars("venue"))
    except (HistoryDataError, ValueError) as exc:
        print(f"venue: cannot read klines: {exc}", file=sys.stderr)
        return EXIT_BAD_DATA
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(data, args, start_ms, venue_costs(settings)))
    return 0
