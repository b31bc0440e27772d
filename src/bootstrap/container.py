"""The composition root: which concrete object each mode uses (ARCHITECTURE.md, "Modes").

| provider | backtest | paper | live (binance.testnet: testnet URLs and keys) |
| --- | --- | --- | --- |
| clock | ReplayClock | SystemClock | SystemClock |
| market_feed | built per run (backtest_wiring) | LiveBookFeed(BinanceMarketFeed) | BinanceMarketFeed |
| exchange | built per run (backtest_wiring) | PaperExchange (SimulatedExchange) | BinanceExchange |
| symbol_universe | built per run (backtest_wiring) | BinanceSymbolUniverse / FixedUniverse | same |
| scanner | built per run (backtest_wiring) | ScanMarket | ScanMarket |
| model | OnnxModel.load(model.path) | same | same |

Paper reads Binance's PRODUCTION public market data (no key needed; `binance.rest_url`/`ws_url`, which
`paper --venue` points at a local venue); live follows `binance.testnet`. `wall_clock` paces and watches
the stream connection; `clock` is trading time (the same SystemClock, unless a rehearsal on the local
venue overrides it with the venue's accelerated clock).

Built synchronously from Settings and holding no async resources: feeds and exchanges are async context
managers that the trading loop enters. Every mode switch is a `providers.Selector` on `mode`. No
`@inject`/`wire()`: callers ask the container for what they need (`container.risk_book()`). The
settings -> value mappings (risk limits, thresholds, exit policy, simulator costs) live here only.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from dependency_injector import containers, providers

from adapters.binance.market_feed import BinanceMarketFeed
from adapters.binance.symbols import BinanceSymbolUniverse
from adapters.clocks import ReplayClock, SystemClock
from adapters.onnx_model import OnnxModel
from adapters.simulated.costs import SimulatorCosts
from adapters.storage.trade_journal import CsvJsonTradeJournal
from application.report_stats import StatsReporter
from application.scan_market import ScanMarket
from bootstrap.market_wiring import FeedFollowsUniverse, FixedUniverse, LiveBookFeed, UniverseFeed
from bootstrap.paper_exchange import PaperExchange
from bootstrap.settings_model import Settings
from domain.position import ExitPolicy
from domain.risk import RiskBook, RiskLimits
from domain.scanner_rules import ScannerRules
from domain.signal import SignalThresholds
from ports.clock import Clock
from ports.errors import ConfigurationError
from ports.symbols import SymbolUniverse

if TYPE_CHECKING:
    from adapters.binance.exchange import BinanceExchange

MODES = ("backtest", "paper", "live")


def risk_limits_from(settings: Settings) -> RiskLimits:
    risk = settings.risk
    return RiskLimits(
        initial_capital=risk.initial_capital, max_position_pct=risk.max_position_pct,
        min_position_usdt=risk.min_position_usdt, max_loss_per_trade_pct=risk.max_loss_per_trade_pct,
        max_daily_loss_pct=risk.max_daily_loss_pct, max_drawdown_pct=risk.max_drawdown_pct,
        max_open_positions=risk.max_open_positions, max_trades_per_hour=risk.max_trades_per_hour,
        max_trades_per_day=risk.max_trades_per_day)


def signal_thresholds_from(settings: Settings) -> SignalThresholds:
    signal, risk = settings.signal, settings.risk
    return SignalThresholds(
        min_probability=signal.min_probability, min_confidence=signal.min_confidence,
        min_predicted_move_pct=signal.min_predicted_move_pct, stop_loss_pct=risk.default_stop_loss_pct,
        take_profit_pct=risk.default_take_profit_pct, max_position_pct=risk.max_position_pct,
        min_expected_net_return_pct=signal.min_expected_net_return_pct if signal.ev_gate_enabled else None)


# --- Issue 8: the model card's EV gate (fitted on validation) can raise the settings' margin, never lower it.
def with_model_gate(settings: Settings, model: object) -> Settings:
    """`settings` with signal.min_expected_net_return_pct = max(its value, the card's gate) when the EV
    gate is enabled and the model's card has one; unchanged otherwise. Call it once the model is loaded."""
    gate = model.card.ev_gate if isinstance(model, OnnxModel) else None
    signal = settings.signal
    if gate is None or not signal.ev_gate_enabled or gate.min_expected_net_return_pct <= \
            signal.min_expected_net_return_pct:
        return settings
    raised = signal.model_copy(update={"min_expected_net_return_pct": gate.min_expected_net_return_pct})
    return settings.model_copy(update={"signal": raised})


def scanner_rules_from(settings: Settings) -> ScannerRules:
    scanner, alerts = settings.scanner, settings.scanner.alerts
    return ScannerRules(
        min_volume_24h=scanner.min_volume_24h, max_spread_pct=scanner.max_spread_pct,
        volume_spike_ratio=alerts.volume_spike_ratio, momentum_threshold_pct=alerts.momentum_threshold_pct,
        breakout_distance_pct=alerts.breakout_distance_pct, reversal_drop_pct=alerts.reversal_drop_pct)


def exit_policy_from(settings: Settings) -> ExitPolicy:
    risk = settings.risk
    return ExitPolicy(
        take_profit_pct=risk.default_take_profit_pct, stop_loss_pct=risk.default_stop_loss_pct,
        timeout_sec=settings.timing.position_timeout_seconds,
        trailing_activation_pct=risk.trailing_activation_pct if risk.trailing_stop_enabled else None,
        trailing_distance_pct=risk.trailing_distance_pct, min_hold_sec=risk.min_hold_seconds)


def backtest_start_ms(settings: Settings) -> int:
    """Where the replay clock starts: backtest.start (UTC midnight), else 0 (the first event moves it)."""
    start = settings.backtest.start
    if start is None:
        return 0
    try:
        day = datetime.strptime(start, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise ConfigurationError(f"backtest.start = {start!r}: expected a date YYYY-MM-DD") from None
    return int(day.timestamp() * 1000)


def journal_paths(settings: Settings, mode: str) -> tuple[Path, Path]:
    """Live keeps the configured files. Paper writes beside them with a `.paper` tag (trades.paper.csv) so
    simulated money never mixes with real money in one history. A backtest writes in backtest.report_dir."""
    csv_path, json_path = settings.logging.trade_log_path, settings.logging.trade_json_path
    if mode == "paper":
        return (csv_path.with_name(f"{csv_path.stem}.paper{csv_path.suffix}"),
                json_path.with_name(f"{json_path.stem}.paper{json_path.suffix}"))
    if mode == "backtest":
        return (settings.backtest.report_dir / csv_path.name, settings.backtest.report_dir / json_path.name)
    return csv_path, json_path


def simulator_costs_from(settings: Settings) -> SimulatorCosts:
    execution = settings.execution
    return SimulatorCosts.from_rates(
        taker_fee=execution.taker_fee_rate, maker_fee=execution.maker_fee_rate,
        bnb_discount=execution.bnb_fee_discount, slippage_bps=execution.slippage_bps,
        latency_ms=execution.latency_ms, seed=execution.seed)


def market_urls(settings: Settings, mode: str) -> tuple[str, str]:
    """(WebSocket base, REST base) of the market data: production for paper, live per binance.testnet."""
    b = settings.binance
    if mode == "live" and b.testnet:
        return b.testnet_ws_url, b.testnet_rest_url
    return b.ws_url, b.rest_url


def _journal(settings: Settings, mode: str) -> CsvJsonTradeJournal:
    csv_path, json_path = journal_paths(settings, mode)
    return CsvJsonTradeJournal(csv_path, json_path, durable=mode != "backtest")


def _market_feed(settings: Settings, mode: str, wall_clock: Clock) -> BinanceMarketFeed:
    ws_url, rest_url = market_urls(settings, mode)
    symbols = () if settings.scanner.dynamic_symbols else tuple(settings.trading.symbols)
    return BinanceMarketFeed(ws_url, rest_url, symbols, wall_clock,
                             stale_after_sec=settings.scanner.stale_after_sec,
                             rest_timeout_sec=settings.binance.request_timeout_seconds)


def _paper_exchange(settings: Settings, clock: Clock) -> PaperExchange:
    balance = {settings.trading.quote_asset: Decimal(repr(settings.risk.initial_capital))}
    return PaperExchange(market_urls(settings, "paper")[1], balance, clock, simulator_costs_from(settings),
                         timeout_sec=settings.binance.request_timeout_seconds)


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


def _symbol_universe(settings: Settings, mode: str) -> SymbolUniverse:
    scanner = settings.scanner
    if not scanner.dynamic_symbols:
        return FixedUniverse(settings.trading.symbols)
    return BinanceSymbolUniverse(
        market_urls(settings, mode)[1], min_quote_volume=scanner.min_volume_24h, max_pairs=scanner.max_pairs,
        quote_asset=settings.trading.quote_asset, refresh_seconds=scanner.refresh_symbols_hours * 3600,
        timeout_seconds=settings.binance.request_timeout_seconds)


def _scanner(settings: Settings, universe: SymbolUniverse, feed: UniverseFeed, clock: Clock) -> ScanMarket:
    return ScanMarket(scanner_rules_from(settings), FeedFollowsUniverse(universe, feed), clock,
                      refresh_ms=round(settings.scanner.refresh_symbols_hours * 3_600_000),
                      ranked=settings.scanner.enabled)


def _load_model(settings: Settings) -> OnnxModel:
    return OnnxModel.load(Path(settings.model.path))


def _built_per_run(mode: str, thing: str) -> NoReturn:
    raise ConfigurationError(f"{mode} mode: the {thing} is built for each run (bootstrap/backtest_wiring.py)")


class Container(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    mode = providers.Dependency(instance_of=str)

    wall_clock = providers.Singleton(SystemClock)
    clock = providers.Selector(
        mode,
        backtest=providers.Singleton(ReplayClock, providers.Callable(backtest_start_ms, settings)),
        paper=wall_clock,
        live=wall_clock,
    )
    risk_limits = providers.Singleton(risk_limits_from, settings)
    risk_book = providers.Singleton(RiskBook, risk_limits)
    signal_thresholds = providers.Singleton(signal_thresholds_from, settings)
    exit_policy = providers.Singleton(exit_policy_from, settings)
    trade_journal = providers.Singleton(_journal, settings, mode)
    stats_reporter = providers.Singleton(
        StatsReporter, trade_journal, risk_book, clock, settings.provided.risk.initial_capital)
    model = providers.Singleton(_load_model, settings)

    exchange = providers.Selector(
        mode,
        backtest=providers.Callable(_built_per_run, "backtest", "exchange"),
        paper=providers.Singleton(_paper_exchange, settings, clock),
        live=providers.Singleton(_live_exchange, settings, wall_clock),
    )
    stream_feed = providers.Singleton(_market_feed, settings, mode, wall_clock)
    market_feed = providers.Selector(
        mode,
        backtest=providers.Callable(_built_per_run, "backtest", "market feed"),
        paper=providers.Singleton(LiveBookFeed, stream_feed, exchange, clock=clock, feed_clock=wall_clock),
        live=stream_feed,
    )
    symbol_universe = providers.Selector(
        mode,
        backtest=providers.Callable(_built_per_run, "backtest", "symbol universe"),
        paper=providers.Singleton(_symbol_universe, settings, mode),
        live=providers.Singleton(_symbol_universe, settings, mode),
    )
    scanner = providers.Selector(
        mode,
        backtest=providers.Callable(_built_per_run, "backtest", "scanner"),
        paper=providers.Singleton(_scanner, settings, symbol_universe, market_feed, clock),
        live=providers.Singleton(_scanner, settings, symbol_universe, market_feed, clock),
    )


def build_container(settings: Settings, mode: str) -> Container:
    """The object graph for one run. Nothing is built until asked for; nothing async is held."""
    if mode not in MODES:
        raise ConfigurationError(f"unknown mode {mode!r}: expected one of {', '.join(MODES)}")
    return Container(settings=settings, mode=mode)
