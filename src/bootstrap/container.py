"""The composition root: the whole mode table (docs/ARCHITECTURE.md, "Modes"), down to the trading loop.

| provider | backtest (overridden per run) | paper | live (binance.testnet: testnet URLs, keys) |
| --- | --- | --- | --- |
| clock | ReplayClock | SystemClock | ExchangeClock (the wall clock + Binance's offset) |
| market_feed | ReplayFeed | LiveBookFeed(BinanceMarketFeed) | BinanceMarketFeed |
| exchange | SimulatedExchange | PaperExchange (SimulatedExchange) | BinanceExchange |
| scanner | PlannedScanner | ScanMarket | ScanMarket |
| model | PrecomputedPredictions | OnnxModel.load(model.path) | same |
| state_store | none (fast, identical) | SqliteStateStore(state/paper.sqlite) | (state/live-<acct>.sqlite) |
| trading_loop | TradingLoop(all of the above) | same | same |

Paper reads Binance's PRODUCTION public market data (no key needed; `binance.rest_url`/`ws_url`, which
`paper --venue` points at a local venue); with BINANCE_API_KEY/SECRET present it asks the same URL for the
account's fees per symbol (adapters/paper/exchange.py). Live follows `binance.testnet`. `wall_clock`
paces and watches the stream connection; `clock` is trading time (the same SystemClock, unless a
rehearsal on the local venue overrides it with the venue's accelerated clock).

A backtest run overrides the providers its replay builds (`exchange`, `market_feed`, `scanner`,
`model`, `trade_journal`, `feature_row`) with `provider.override(providers.Object(...))`, the
dependency-injector idiom (bootstrap/backtest_wiring.py); asking for one it did not override is a
ConfigurationError. Built synchronously from Settings, holding no async resources: feeds and exchanges
are async context managers that the trading loop enters. No `@inject`/`wire()`: callers ask the container
for what they need (`container.trading_loop()`). Settings -> values: the bootstrap/mapping package.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from dependency_injector import containers, providers

from adapters.binance.commissions import signed_account_commissions
from adapters.binance.market_feed import BinanceMarketFeed
from adapters.binance.symbols import BinanceSymbolUniverse
from adapters.clocks import ReplayClock, SystemClock
from adapters.onnx.model import OnnxModel
from adapters.paper.exchange import PaperExchange
from adapters.paper.live_book_feed import LiveBookFeed
from adapters.storage.state_store import SqliteStateStore
from adapters.storage.trade_journal import CsvJsonTradeJournal
from adapters.universe import FeedFollowsUniverse, FixedUniverse
from application.scan_market import ScanMarket
from application.trading_config import LoopConfig
from application.trading_loop import TradingLoop
from bootstrap import mapping
from bootstrap.lab_gate_wiring import lab_gate_closed
from bootstrap.settings_model import Settings
from domain.features import latest_features
from domain.risk import RiskBook
from domain.time_units import DAY_MS
from ports.clock import Clock
from ports.errors import ConfigurationError
from ports.market_feed import UniverseFeed
from ports.symbols import SymbolUniverse

if TYPE_CHECKING:
    from adapters.binance.exchange import BinanceExchange
    from adapters.binance.rate_limiter import RateLimiter

MODES = ("backtest", "paper", "live")
BACKTEST_WARMUP_BARS = 2  # features are precomputed: the loop's memory only needs the last bars
NEVER_MS = 10**15  # a backtest logs no periodic stats line (its summary is the report)
# The simulator cannot disagree with itself: a replay reconciles at start, once a day, and whenever an
# error asks for a resync (a live loop: every 5 minutes). Same trades, far fewer snapshots.
BACKTEST_RECONCILE_MS = DAY_MS


def _journal(settings: Settings, mode: str) -> CsvJsonTradeJournal:
    csv_path, json_path = mapping.journal_paths(settings, mode)
    return CsvJsonTradeJournal(csv_path, json_path, durable=mode != "backtest")


def _state_store(settings: Settings, mode: str) -> SqliteStateStore | None:
    path = mapping.state_path(settings, mode)
    return None if path is None else SqliteStateStore(path)


def _market_feed(settings: Settings, mode: str, wall_clock: Clock, limiter: RateLimiter | None
                 ) -> BinanceMarketFeed:
    """Live passes the exchange's limiter: one REQUEST_WEIGHT budget per IP for market and signed REST."""
    ws_url, rest_url = mapping.market_urls(settings, mode)
    symbols = () if settings.scanner.dynamic_symbols else tuple(settings.trading.symbols)
    return BinanceMarketFeed(ws_url, rest_url, symbols, wall_clock,
                             stale_after_sec=settings.scanner.stale_after_sec,
                             rest_timeout_sec=settings.binance.request_timeout_seconds, limiter=limiter)


def _paper_exchange(settings: Settings, clock: Clock) -> PaperExchange:
    balance = {settings.trading.quote_asset: Decimal(repr(settings.risk.initial_capital))}
    rest_url = mapping.market_urls(settings, "paper")[1]
    b, account = settings.binance, None
    if b.api_key is not None and b.api_secret is not None and b.api_key.get_secret_value() \
            and b.api_secret.get_secret_value():  # the account's fees, asked as live asks them
        account = signed_account_commissions(b.api_key, b.api_secret, rest_url=rest_url, clock=clock,
                                             timeout=b.request_timeout_seconds, recv_window=b.recv_window,
                                             safety=b.weight_safety_margin)
    return PaperExchange(rest_url, balance, clock, mapping.paper_simulator_costs(settings),
                         timeout_sec=b.request_timeout_seconds, account=account)


def _live_exchange(settings: Settings, wall_clock: Clock) -> BinanceExchange:
    # Imported here: paper and backtest processes need neither binance-connector nor requests (memory).
    from adapters.binance.exchange import BinanceExchange
    from adapters.binance.rate_limiter import RateLimiter

    b = settings.binance
    key, secret = (b.testnet_api_key, b.testnet_api_secret) if b.testnet else (b.api_key, b.api_secret)
    if key is None or secret is None or not key.get_secret_value() or not secret.get_secret_value():
        prefix = "BINANCE_TESTNET_" if b.testnet else "BINANCE_"
        raise ConfigurationError(f"live mode needs the {'testnet ' if b.testnet else ''}API key and secret "
                                 f"({prefix}API_KEY, {prefix}API_SECRET)")
    limiter = RateLimiter(wall_clock, safety=b.weight_safety_margin)
    if b.testnet:
        return BinanceExchange.testnet(key, secret, rest_url=b.testnet_rest_url,
                                       ws_api_url=b.testnet_ws_api_url, recv_window=b.recv_window,
                                       timeout=b.request_timeout_seconds, clock=wall_clock, limiter=limiter)
    return BinanceExchange(key, secret, rest_url=b.rest_url, ws_api_url=b.ws_api_url,
                           recv_window=b.recv_window, timeout=b.request_timeout_seconds, clock=wall_clock,
                           limiter=limiter)


def _exchange_clock(container: Container, wall_clock: Clock) -> Clock:
    """Live trading time: the exchange's (its offset is measured when the loop enters it). The exchange is
    looked up on the first reading, so building the clock needs no key."""
    from adapters.binance.server_clock import ExchangeClock

    def exchange_time_ms() -> int:
        exchange: BinanceExchange = container.exchange()
        return exchange.rest.timestamp_ms()

    return ExchangeClock(exchange_time_ms, wall_clock)


def _symbol_universe(settings: Settings, mode: str) -> SymbolUniverse:
    scanner = settings.scanner
    if not scanner.dynamic_symbols:
        return FixedUniverse(settings.trading.symbols)
    return BinanceSymbolUniverse(
        mapping.market_urls(settings, mode)[1], min_quote_volume=scanner.min_volume_24h,
        max_pairs=scanner.max_pairs, quote_asset=settings.trading.quote_asset,
        refresh_seconds=scanner.refresh_symbols_hours * 3600,
        timeout_seconds=settings.binance.request_timeout_seconds)


def _scanner(settings: Settings, universe: SymbolUniverse, feed: UniverseFeed, clock: Clock) -> ScanMarket:
    # imported here: numba (~70 MB, ~0.5 s to import) only for the commands that scan
    from adapters.kernels.scanner_numba import NumbaTickerKernel

    return ScanMarket(mapping.scanner_rules_from(settings), FeedFollowsUniverse(universe, feed), clock,
                      refresh_ms=round(settings.scanner.refresh_symbols_hours * 3_600_000),
                      ranked=settings.scanner.enabled, kernel=NumbaTickerKernel())


def _load_model(settings: Settings) -> OnnxModel:
    return OnnxModel.load(Path(settings.model.path))


def _loop_config(settings: Settings, mode: str, model_gate_pct: float | None,
                 lab_gate: str | None = None) -> LoopConfig:
    config = replace(mapping.loop_config_from(settings, mode, model_gate_pct), lab_gate_closed=lab_gate)
    if mode == "backtest":
        return replace(config, warmup_bars=BACKTEST_WARMUP_BARS, stats_interval_ms=NEVER_MS,
                       reconcile_interval_ms=BACKTEST_RECONCILE_MS)
    return config


def _built_per_run(thing: str) -> NoReturn:
    raise ConfigurationError(f"backtest mode: the {thing} is built for each run "
                             "(bootstrap/backtest_wiring.py)")


class Container(containers.DeclarativeContainer):
    __self__ = providers.Self()
    settings = providers.Dependency(instance_of=Settings)
    mode = providers.Dependency(instance_of=str)

    wall_clock = providers.Singleton(SystemClock)
    clock = providers.Selector(
        mode,
        backtest=providers.Singleton(ReplayClock, providers.Callable(mapping.backtest_start_ms, settings),
                                     yields=False),  # one chain of coroutines: no task to give a turn
        paper=wall_clock,
        live=providers.Singleton(_exchange_clock, __self__, wall_clock),
    )
    model = providers.Selector(
        mode,
        backtest=providers.Callable(_built_per_run, "model's precomputed predictions"),
        paper=providers.Singleton(_load_model, settings),
        live=providers.Singleton(_load_model, settings),
    )
    risk_limits = providers.Singleton(mapping.risk_limits_from, settings)
    risk_book = providers.Singleton(RiskBook, risk_limits)
    lab_gate = providers.Selector(mode, backtest=providers.Object(None),
                                  paper=providers.Singleton(lab_gate_closed, settings, model),
                                  live=providers.Singleton(lab_gate_closed, settings, model))
    loop_config = providers.Singleton(_loop_config, settings, mode, model.provided.ev_gate_margin_pct,
                                      lab_gate)
    trade_journal = providers.Singleton(_journal, settings, mode)
    state_store = providers.Singleton(_state_store, settings, mode)

    exchange = providers.Selector(
        mode,
        backtest=providers.Callable(_built_per_run, "exchange"),
        paper=providers.Singleton(_paper_exchange, settings, clock),
        live=providers.Singleton(_live_exchange, settings, wall_clock),
    )
    feed_limiter = providers.Selector(mode, backtest=providers.Object(None), paper=providers.Object(None),
                                      live=exchange.provided.limiter)
    stream_feed = providers.Singleton(_market_feed, settings, mode, wall_clock, feed_limiter)
    market_feed = providers.Selector(
        mode,
        backtest=providers.Callable(_built_per_run, "market feed"),
        paper=providers.Singleton(LiveBookFeed, stream_feed, exchange, clock=clock, feed_clock=wall_clock),
        live=stream_feed,
    )
    symbol_universe = providers.Singleton(_symbol_universe, settings, mode)
    scanner = providers.Selector(
        mode,
        backtest=providers.Callable(_built_per_run, "scanner"),
        paper=providers.Singleton(_scanner, settings, symbol_universe, market_feed, clock),
        live=providers.Singleton(_scanner, settings, symbol_universe, market_feed, clock),
    )
    feature_row = providers.Object(latest_features)

    trading_loop = providers.Singleton(
        TradingLoop, feed=market_feed, exchange=exchange, model=model, clock=clock, journal=trade_journal,
        scanner=scanner, risk=risk_book, config=loop_config, features=feature_row, state=state_store)


def build_container(settings: Settings, mode: str) -> Container:
    """The object graph for one run. Nothing is built until asked for; nothing async is held."""
    if mode not in MODES:
        raise ConfigurationError(f"unknown mode {mode!r}: expected one of {', '.join(MODES)}")
    return Container(settings=settings, mode=mode)
