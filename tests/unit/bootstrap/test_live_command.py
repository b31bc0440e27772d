"""`python -m bootstrap live`: every refusal, then a short real run, against the local venue (served by
its own thread, since the command runs its own event loop)."""

from __future__ import annotations

import argparse
import asyncio
import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from loguru import logger
from pydantic import SecretStr

from adapters.simulated.venue.data import VenueData, load_venue_data
from adapters.simulated.venue.signing import ApiKey
from adapters.simulated.venue.trading import TradingVenue, serve_trading_venue
from adapters.simulated.venue.trading_desk import TradingConfig
from bootstrap.commands import live
from bootstrap.settings_model import (
    BinanceSettings,
    LoggingSettings,
    ModelSettings,
    RiskSettings,
    ScannerSettings,
    Settings,
    StateSettings,
    TradingSettings,
)

START_MS = 1_775_001_600_000  # 2026-04-01 00:00 UTC, in the committed sample
SYMBOLS = ["BTCUSDT", "ETHUSDT"]
SAFE_KEY, WITHDRAW_KEY, OPEN_KEY = "safe-key", "withdraw-key", "open-key"
KEYS = {
    SAFE_KEY: ApiKey("safe-secret"),
    WITHDRAW_KEY: ApiKey("withdraw-secret", enable_withdrawals=True),
    OPEN_KEY: ApiKey("open-secret", ip_restrict=False),
}


@functools.cache
def venue_data(sample_klines: Path) -> VenueData:
    return load_venue_data(
        sample_klines, symbols=SYMBOLS, start_ms=START_MS, minutes=30, warmup_ms=3_600_000
    )


@contextmanager
def venue_thread(data: VenueData, config: TradingConfig) -> Iterator[TradingVenue]:
    """The venue served by another thread's event loop for the duration of the block."""
    ready, found = threading.Event(), {}
    loop = asyncio.new_event_loop()

    async def serve() -> None:
        found["stop"] = asyncio.Event()
        async with serve_trading_venue(data, config=config) as venue:
            found["venue"] = venue
            ready.set()
            await found["stop"].wait()

    thread = threading.Thread(target=loop.run_until_complete, args=(serve(),), daemon=True)
    thread.start()
    assert ready.wait(10), "the venue did not start"
    try:
        yield found["venue"]
    finally:
        loop.call_soon_threadsafe(found["stop"].set)
        thread.join(10)
        loop.close()


@pytest.fixture
def settings_for(tmp_path: Path, paper_model_path: Path) -> Any:
    def build(
        venue: TradingVenue | None,
        key: str | None,
        *,
        testnet: bool = False,
        capital: float = 1000.0,
        confirm: bool = False,
        model: Path | None = None,
    ) -> Settings:
        secret = KEYS[key].secret if key in KEYS else "x"
        prefix = "testnet_" if testnet else ""
        urls = (
            {}
            if venue is None
            else {
                f"{prefix}rest_url": venue.rest_url,
                f"{prefix}ws_url": venue.ws_url,
                f"{prefix}ws_api_url": venue.ws_api_url,
            }
        )
        creds = {f"{prefix}api_key": SecretStr(key), f"{prefix}api_secret": SecretStr(secret)} if key else {}
        return Settings(
            binance=BinanceSettings(testnet=testnet, request_timeout_seconds=3, **creds, **urls),
            trading=TradingSettings(confirm_live=confirm, symbols=SYMBOLS),
            scanner=ScannerSettings(dynamic_symbols=False),
            risk=RiskSettings(initial_capital=capital),
            model=ModelSettings(path=str(model or paper_model_path)),
            logging=LoggingSettings(
                file_enabled=False,
                trade_log_path=tmp_path / "trades.csv",
                trade_json_path=tmp_path / "trades.jsonl",
            ),
            state=StateSettings(dir=tmp_path / "state"),
        )

    return build


def args(*flags: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    live.add_parser(parser.add_subparsers())
    return parser.parse_args(["live", *flags])


@pytest.fixture
def logged() -> Iterator[list[str]]:
    seen: list[str] = []
    sink = logger.add(lambda message: seen.append(str(message)), level="INFO", format="{level} {message}")
    yield seen
    logger.remove(sink)


def test_the_parser_takes_the_confirmation_and_testnet_flags() -> None:
    parsed = args("--confirm-live", "--testnet", "--duration", "5")
    assert parsed.confirm_live and parsed.testnet and parsed.duration == 5 and parsed.run is live.run


def test_missing_keys_are_refused(settings_for: Any, capsys: pytest.CaptureFixture[str]) -> None:
    assert live.run(args("--confirm-live"), settings_for(None, None)) == 2
    assert "BINANCE_API_KEY" in capsys.readouterr().err
    assert live.run(args("--confirm-live", "--testnet"), settings_for(None, None)) == 2
    assert "BINANCE_TESTNET_API_KEY" in capsys.readouterr().err


def test_no_confirmation_is_refused_before_any_network(
    settings_for: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert live.run(args(), settings_for(None, SAFE_KEY)) == 2  # no venue: nothing may be contacted
    assert "--confirm-live" in capsys.readouterr().err


def test_a_missing_model_is_refused_before_any_network(
    settings_for: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = settings_for(None, SAFE_KEY, model=tmp_path / "none.onnx")
    assert live.run(args("--confirm-live"), settings) == 2
    assert "live mode refused" in capsys.readouterr().err


@pytest.fixture(scope="module")
def venue(sample_klines: Path) -> Iterator[TradingVenue]:
    config = TradingConfig(keys=KEYS, deposits={"USDT": Decimal(1000)})
    with venue_thread(venue_data(sample_klines), config) as running:
        yield running


def test_a_key_that_can_withdraw_is_refused(
    venue: TradingVenue, settings_for: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert live.run(args("--confirm-live"), settings_for(venue, WITHDRAW_KEY)) == 3
    err = capsys.readouterr().err
    assert "can withdraw" in err and "withdraw-secret" not in err


def test_a_key_binance_rejects_is_refused(
    venue: TradingVenue, settings_for: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert live.run(args("--confirm-live"), settings_for(venue, "unknown-key")) == 3
    assert "rejected the API key" in capsys.readouterr().err


def test_limits_the_balance_cannot_honour_are_refused(
    venue: TradingVenue, settings_for: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert live.run(args("--confirm-live"), settings_for(venue, SAFE_KEY, capital=5000.0)) == 3
    assert "kill switch" in capsys.readouterr().err


def test_a_sound_start_syncs_then_trades_until_stopped(
    venue: TradingVenue, settings_for: Any, logged: list[str]
) -> None:
    code = live.run(args("--confirm-live", "--duration", "1"), settings_for(venue, OPEN_KEY))
    assert code == 0, logged[-5:]
    assert any("WARNING" in line and "no IP restriction" in line for line in logged)  # warned, not refused
    assert any("Account at start: 1000" in line for line in logged)
    assert any("Trading loop started (live mode)" in line for line in logged)


def test_the_testnet_has_no_sapi_and_is_only_warned_about(
    sample_klines: Path, settings_for: Any, logged: list[str]
) -> None:
    with venue_thread(venue_data(sample_klines), TradingConfig(keys=KEYS, sapi=False)) as testnet:
        code = live.run(
            args("--testnet", "--duration", "1"), settings_for(testnet, SAFE_KEY, testnet=True, confirm=True)
        )
    assert code == 0, logged[-5:]
    assert any("cannot be checked" in line for line in logged)
