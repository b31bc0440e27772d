"""The typed shape of every setting (spec 7.3 plus the backtest, data and execution sections)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from loguru import logger
from pydantic import Field, SecretStr, ValidationInfo, field_validator, model_validator

from bootstrap.settings_operations import ConsoleSettings, ResearchSettings, StateSettings
from bootstrap.settings_section import Section
from domain.fee_table import FeeTable
from domain.fees import FeeSchedule


def _binance_symbols(values: list[str]) -> list[str]:
    """`BTC/USDT`, `btc-usdt` -> `BTCUSDT`: Binance's spot symbols have no separator."""
    return ["".join(ch for ch in str(v).strip().upper() if ch not in "/-_ ") for v in values]


class TradingSettings(Section):
    mode: Literal["backtest", "paper", "live"] = "paper"
    symbols: list[str] = Field(
        default_factory=lambda: ["BTCUSDT", "ETHUSDT", "BNBUSDT", "SOLUSDT", "XRPUSDT"])
    max_symbols_active: int = Field(default=5, ge=1, le=200)
    quote_asset: str = Field(default="USDT", pattern=r"^[A-Za-z0-9]{2,10}$")  # USDT, USDC, FDUSD, ...
    confirm_live: bool = False  # live mode refuses to start unless this (or --confirm-live) is given

    _symbols = field_validator("symbols")(_binance_symbols)

    @field_validator("quote_asset")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()


class AlertSettings(Section):
    volume_spike_ratio: float = Field(default=3.0, gt=1.0)
    momentum_threshold_pct: float = Field(default=0.15, gt=0.0)
    breakout_distance_pct: float = Field(default=0.5, ge=0.0)
    reversal_drop_pct: float = Field(default=1.0, gt=0.0)


class ScannerSettings(Section):
    enabled: bool = True
    dynamic_symbols: bool = True
    max_pairs: int = Field(default=150, ge=1, le=1024)
    min_volume_24h: float = Field(default=1_000_000, ge=0)
    max_spread_pct: float = Field(default=0.15, gt=0)
    refresh_symbols_hours: float = Field(default=1.0, gt=0)
    top_candidates: int = Field(default=10, ge=1, le=100)
    stale_after_sec: float = Field(default=30.0, gt=0)
    alerts: AlertSettings = AlertSettings()


class TimingSettings(Section):
    scan_interval_seconds: float = Field(default=2.0, gt=0)
    position_timeout_seconds: int = Field(default=300, ge=30, le=3600)
    stats_interval_seconds: float = Field(default=60.0, gt=0)


class RiskSettings(Section):
    initial_capital: float = Field(default=30.0, gt=0)
    max_position_pct: float = Field(default=0.20, gt=0, le=1)
    min_position_usdt: float = Field(default=5.0, ge=0)
    max_loss_per_trade_pct: float = Field(default=0.02, gt=0, le=1)
    max_daily_loss_pct: float = Field(default=0.10, gt=0, le=1)
    max_drawdown_pct: float = Field(default=0.25, gt=0, lt=1)
    max_open_positions: int = Field(default=1, ge=1, le=50)
    max_trades_per_hour: int = Field(default=20, ge=1)
    max_trades_per_day: int = Field(default=100, ge=1)
    default_stop_loss_pct: float = Field(default=0.004, gt=0, lt=0.5)
    default_take_profit_pct: float = Field(default=0.003, gt=0, lt=1)
    trailing_stop_enabled: bool = False
    trailing_activation_pct: float = Field(default=0.002, gt=0)
    trailing_distance_pct: float = Field(default=0.0015, gt=0)
    min_hold_seconds: int = Field(default=0, ge=0)
    cooldown_seconds: int = Field(default=300, ge=0)  # no re-entry on a pair this long after its exit


class SignalSettings(Section):
    min_probability: float = Field(default=0.65, ge=0, le=1)
    min_confidence: float = Field(default=0.55, ge=0, le=1)
    min_predicted_move_pct: float = Field(default=0.2, ge=0)  # percent (0.2 = +0.2%)
    ev_gate_enabled: bool = True
    min_expected_net_return_pct: float = Field(default=0.0, ge=-1)  # percent, after all costs


class ModelHealthSettings(Section):
    """The model watches itself while trading (paper, live; never in backtests): its gate closes when the
    trades fall short of what it promised, or key features drift away from the run's first rows."""

    enabled: bool = True
    min_trades: int = Field(default=20, ge=2)
    window: int = Field(default=50, ge=2)
    max_shortfall_pct: float = Field(default=0.1, ge=0)  # percent per trade
    t_bound: float = Field(default=2.0, gt=0)
    psi_bound: float = Field(default=0.25, gt=0)
    drift_rows: int = Field(default=500, ge=10)
    drift_sample_seconds: float = Field(default=60.0, ge=0)
    drift_features: list[str] = Field(
        default_factory=lambda: ["rsi_14", "atr_pct_14", "volume_rel_20", "return_std_20"])


class ModelSettings(Section):
    path: str = "models/onnx/latest"  # a .onnx file, or a folder (newest scalper-*.onnx), or .../latest
    features_version: str = "v1"


class BinanceSettings(Section):
    testnet: bool = False  # live trades on production unless `live --testnet` (or this) says otherwise
    recv_window: int = Field(default=5000, ge=1, le=60000)
    api_key: SecretStr | None = None
    api_secret: SecretStr | None = None
    testnet_api_key: SecretStr | None = None
    testnet_api_secret: SecretStr | None = None
    rest_url: str = "https://api.binance.com"
    ws_url: str = "wss://stream.binance.com:9443"
    ws_api_url: str = "wss://ws-api.binance.com:443/ws-api/v3"
    testnet_rest_url: str = "https://testnet.binance.vision"
    testnet_ws_url: str = "wss://stream.testnet.binance.vision"
    testnet_ws_api_url: str = "wss://ws-api.testnet.binance.vision/ws-api/v3"
    request_timeout_seconds: float = Field(default=10.0, gt=0)
    weight_limit_per_minute: int = Field(default=6000, ge=1)
    weight_safety_margin: float = Field(default=0.8, gt=0, le=1)


class SymbolFeeSettings(Section):
    """One symbol's own commission rates (a zero-fee pair, a promotion, a quote asset priced otherwise)."""

    taker: float = Field(ge=0, lt=0.01)
    maker: float = Field(ge=0, lt=0.01)
    bnb_discount: bool | None = None  # None: as execution.bnb_fee_discount


class ExecutionSettings(Section):
    taker_fee_rate: float = Field(default=0.001, ge=0, lt=0.01)
    maker_fee_rate: float = Field(default=0.001, ge=0, lt=0.01)
    bnb_fee_discount: bool = False  # 25% off fees when paid in BNB
    slippage_bps: float = Field(default=2.0, ge=0)  # used when no book is available
    latency_ms: int = Field(default=150, ge=0)
    maker_entries: bool = False  # LIMIT_MAKER at the bid instead of a market buy
    maker_entry_timeout_seconds: float = Field(default=20.0, gt=0)
    maker_take_profit: bool = True  # the OCO take-profit leg rests as a maker limit
    seed: int = 7
    # Per-symbol rates: symbol -> {taker, maker}; every other symbol pays the two rates above (set those for
    # a VIP tier). Live asks the account commission endpoint (GET /api/v3/account/commission) per symbol;
    # paper asks it too when BINANCE_API_KEY/SECRET are in the env/.env (its simulator then charges those
    # rates). This table is the fallback (no keys, or the call failed: one log line) and the backtest's.
    symbol_fees: dict[str, SymbolFeeSettings] = Field(default_factory=dict)

    @field_validator("symbol_fees")
    @classmethod
    def _symbol_keys(cls, value: dict[str, SymbolFeeSettings]) -> dict[str, SymbolFeeSettings]:
        return dict(zip(_binance_symbols(list(value)), value.values(), strict=True))

    @property
    def fees(self) -> FeeSchedule:
        return FeeSchedule(self.taker_fee_rate, self.maker_fee_rate, self.bnb_fee_discount)

    @property
    def fee_table(self) -> FeeTable:
        """The default schedule and each listed symbol's own (domain/fee_table.py)."""
        bnb = self.bnb_fee_discount
        return FeeTable(self.fees, {symbol: FeeSchedule(f.taker, f.maker, bnb if f.bnb_discount is None
                                                        else f.bnb_discount)
                                    for symbol, f in self.symbol_fees.items()})


class LabelSettings(Section):
    horizon_bars: int = Field(default=3, ge=1, le=120)
    threshold_pct: float = Field(default=0.002, gt=0, lt=1)  # fraction


class DataSettings(Section):
    cache_dir: Path = Path("data_cache")
    archive_base_url: str = "https://data.binance.vision"
    rest_base_url: str = "https://api.binance.com"
    download_workers: int = Field(default=4, ge=1, le=32)
    default_top_pairs: int = Field(default=5, ge=1, le=200)
    default_days: int = Field(default=7, ge=1, le=365)


class BacktestSettings(Section):
    data: Path | None = None  # a kline file or folder; default: the data cache
    start: str | None = None  # YYYY-MM-DD (UTC), inclusive
    end: str | None = None  # YYYY-MM-DD (UTC), inclusive
    symbols: list[str] = Field(default_factory=list)  # empty = every symbol in the data
    report_dir: Path = Path("reports")
    baselines: bool = True

    _symbols = field_validator("symbols")(_binance_symbols)


class LoggingSettings(Section):
    level: Literal["TRACE", "DEBUG", "INFO", "SUCCESS", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    file_enabled: bool = True
    file_path: Path = Path("logs/cryptoscalper.log")
    rotation: str = "20 MB"
    retention: str = "14 days"
    trade_log_path: Path = Path("logs/trades.csv")
    trade_json_path: Path = Path("logs/trades.jsonl")

    @field_validator("rotation", "retention")
    @classmethod
    def _loguru_understands_it(cls, value: str, info: ValidationInfo) -> str:
        """Checked by loguru itself at load (a file sink that is never opened), not at the first write."""
        try:
            if info.field_name == "retention":
                handler = logger.add(os.devnull, retention=value, delay=True)
            else:
                handler = logger.add(os.devnull, rotation=value, delay=True)
        except (ValueError, TypeError):
            raise ValueError("loguru cannot read it (e.g. '20 MB', '1 day', '00:00', '14 days', "
                             "'1 week')") from None
        logger.remove(handler)
        return value


class Settings(Section):
    trading: TradingSettings = TradingSettings()
    scanner: ScannerSettings = ScannerSettings()
    timing: TimingSettings = TimingSettings()
    risk: RiskSettings = RiskSettings()
    signal: SignalSettings = SignalSettings()
    model: ModelSettings = ModelSettings()
    model_health: ModelHealthSettings = ModelHealthSettings()
    binance: BinanceSettings = BinanceSettings()
    execution: ExecutionSettings = ExecutionSettings()
    labels: LabelSettings = LabelSettings()
    data: DataSettings = DataSettings()
    backtest: BacktestSettings = BacktestSettings()
    logging: LoggingSettings = LoggingSettings()
    state: StateSettings = StateSettings()
    console: ConsoleSettings = ConsoleSettings()
    research: ResearchSettings = ResearchSettings()  # the lab's gate, retraining

    @model_validator(mode="after")
    def _take_profit_covers_fees(self) -> Settings:
        round_trip = self.execution.fees.round_trip(maker_exit=self.execution.maker_take_profit)
        if self.risk.default_take_profit_pct <= round_trip:
            raise ValueError(
                f"risk.default_take_profit_pct = {self.risk.default_take_profit_pct}: must exceed the "
                f"round-trip fee {round_trip:.4f}, or every take-profit loses money")
        if self.risk.max_daily_loss_pct > self.risk.max_drawdown_pct:
            raise ValueError(f"risk.max_daily_loss_pct = {self.risk.max_daily_loss_pct}: must not exceed "
                             f"risk.max_drawdown_pct ({self.risk.max_drawdown_pct})")
        return self
