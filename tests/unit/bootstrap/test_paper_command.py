"""`python -m bootstrap paper` end to end on a local venue (issue 6 item 4), and its start-up failures.

The venue runs in this process on 127.0.0.1 and replays real recorded 1m bars of five pairs at x600
(ten minutes of market a real second). The bot runs as a real subprocess, with the real OnnxModel and
the real BinanceMarketFeed, SimulatedExchange and journal. The signal thresholds are lowered to zero
(and the EV gate turned off) so the model's scores always pass and trades happen deterministically;
TP/SL are wide (2%) so a position lives until its timeout, and the stop signal reliably finds one open.
"""

from __future__ import annotations

import asyncio
import csv
import json
import os
import re
import signal
import sys
from pathlib import Path

import pytest
from tests.unit.bootstrap.conftest import VENUE_MINUTES, VENUE_START

from adapters.simulated.venue.app import create_venue_app, serve_venue
from adapters.simulated.venue.data import VenueData, parse_day
from adapters.simulated.venue.state import VenueConfig
from bootstrap.__main__ import main
from bootstrap.commands.paper import EXIT_UNREACHABLE, paper_settings
from bootstrap.settings import ENV_PREFIX, SPEC_ENV_NAMES
from bootstrap.settings_model import Settings

SPEED = 600.0
WANTED_TRADES = 3


def write_config(folder: Path, model_path: Path) -> Path:
    config = folder / "paper.yaml"
    config.write_text(f"""
model: {{path: "{model_path}"}}
signal: {{min_probability: 0.0, min_confidence: 0.0, min_predicted_move_pct: 0.0, ev_gate_enabled: false}}
risk: {{initial_capital: 100.0, default_take_profit_pct: 0.02, default_stop_loss_pct: 0.02}}
timing: {{position_timeout_seconds: 3600}}  # 6 s of wall time at x600: still open at SIGTERM
logging: {{file_enabled: false}}
""", encoding="utf-8")
    return config


def clean_env(repo_root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not (k.startswith(ENV_PREFIX) or k in SPEC_ENV_NAMES)}
    env["PYTHONPATH"] = str(repo_root / "src")
    return env


async def read_until_a_position_is_open(stream: asyncio.StreamReader, lines: list[str]) -> None:
    """Read the bot's log until WANTED_TRADES trades closed and the latest position is still open."""
    closed = 0
    while True:
        raw = await stream.readline()
        if not raw:
            raise AssertionError("paper mode ended before trading:\n" + "".join(lines[-30:]))
        line = raw.decode("utf-8", "replace")
        lines.append(line)
        if "Position closed:" in line:
            closed += 1
        elif "Position opened:" in line and closed >= WANTED_TRADES:
            return


async def test_paper_mode_trades_on_the_venue_and_stops_gracefully_on_sigterm(
        tmp_path: Path, repo_root: Path, paper_model_path: Path, venue_data: VenueData) -> None:
    app = create_venue_app(venue_data, speed=SPEED, config=VenueConfig(tick_sec=0.05))
    async with serve_venue(app) as venue:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bootstrap", "--config", str(write_config(tmp_path, paper_model_path)),
            "paper", "--venue", venue.rest_url, "--speed", str(SPEED), cwd=tmp_path, env=clean_env(repo_root),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        log: list[str] = []
        try:
            assert process.stderr is not None
            await asyncio.wait_for(read_until_a_position_is_open(process.stderr, log), timeout=60)
            process.send_signal(signal.SIGTERM)
            out, rest = await asyncio.wait_for(process.communicate(), timeout=30)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
    stdout, stderr = out.decode(), "".join(log) + rest.decode()
    assert process.returncode == 0, stderr[-3000:]
    assert "Traceback" not in stderr
    assert "SIGTERM received: stopping after the current step" in stderr
    assert stdout.startswith("paper: stopped (SIGTERM received)")

    # Every completed trade is in both files, whole lines only, in the same order.
    jsonl = (tmp_path / "logs" / "trades.paper.jsonl").read_text(encoding="utf-8")
    assert jsonl.endswith("\n")
    trades = [json.loads(line) for line in jsonl.splitlines()]
    with (tmp_path / "logs" / "trades.paper.csv").open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    assert [(r["symbol"], r["exit_reason"]) for r in rows] == [(t["symbol"], t["exit_reason"])
                                                                for t in trades]
    closed_logged = stderr.count("Position closed:")
    assert len(trades) == closed_logged >= WANTED_TRADES
    assert f"trades={len(trades)} " in stdout.splitlines()[-1]  # the final stats line

    # Trading time is the venue's: every trade lies in the replayed window, exits after entries.
    start = parse_day(VENUE_START)
    for trade in trades:
        assert start <= trade["entry_time_ms"] <= trade["exit_time_ms"] <= start + VENUE_MINUTES * 60_000

    # The position open at the signal is reported with its exchange-side OCO, and nothing vanished:
    # every position opened is either journaled or reported open.
    still_open = re.findall(r"^paper: still open: (\w+) .* protected by OCO \d+", stdout, flags=re.M)
    assert still_open, stdout
    for symbol in still_open:
        assert re.search(rf"Still open at stop: {symbol} .* protected by OCO", stderr)
    assert stderr.count("Position opened:") <= len(trades) + len(still_open)


# -- start-up failures: one clear line, non-zero exit, no traceback --------------------------------------
@pytest.fixture
def in_empty_folder(cli_env: Path) -> Path:
    return cli_env


def error_lines(captured: str) -> list[str]:
    return [line for line in captured.splitlines() if " | INFO " not in line]


def test_a_missing_model_exits_2_with_one_line(in_empty_folder: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    config = in_empty_folder / "c.yaml"
    config.write_text(f"model: {{path: '{in_empty_folder / 'none.onnx'}'}}\n", encoding="utf-8")
    assert main(["--config", str(config), "paper"]) == 2
    lines = error_lines(capsys.readouterr().err)
    assert len(lines) == 1 and lines[0].startswith("config error: model file")
    assert "does not exist" in lines[0]


def test_an_unreachable_venue_exits_3_with_one_line(in_empty_folder: Path, paper_model_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    config = write_config(in_empty_folder, paper_model_path)
    assert main(["--config", str(config), "paper", "--venue", "http://127.0.0.1:9"]) == EXIT_UNREACHABLE
    lines = error_lines(capsys.readouterr().err)
    assert len(lines) == 1 and lines[0].startswith("paper mode could not start: venue http://127.0.0.1:9")
    assert "Traceback" not in lines[0]


def test_an_unreachable_market_exits_3_with_one_line(in_empty_folder: Path, paper_model_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    config = write_config(in_empty_folder, paper_model_path)
    with config.open("a", encoding="utf-8") as file:
        file.write("binance: {rest_url: 'http://127.0.0.1:9', ws_url: 'ws://127.0.0.1:9'}\n")
    assert main(["--config", str(config), "paper", "--duration", "5"]) == EXIT_UNREACHABLE
    lines = error_lines(capsys.readouterr().err)
    assert len(lines) == 1 and "http://127.0.0.1:9/api/v3/exchangeInfo" in lines[0], lines


@pytest.mark.parametrize(("venue", "symbols"), [("127.0.0.1:8765", None), ("http://", None),
                                                 (None, ",,"), (None, "BTC-USDT")])
def test_bad_arguments_are_refused(venue: str | None, symbols: str | None) -> None:
    with pytest.raises(ValueError, match="--venue" if venue else "--symbols"):
        paper_settings(Settings(), venue, symbols)


def test_the_venue_serves_both_rest_and_streams_and_symbols_fix_the_universe() -> None:
    settings = paper_settings(Settings(), "http://127.0.0.1:8765/", "btcusdt, ethusdt")
    assert (settings.binance.rest_url, settings.binance.ws_url) == ("http://127.0.0.1:8765", "ws://127.0.0.1:8765")
    assert settings.trading.symbols == ["BTCUSDT", "ETHUSDT"] and not settings.scanner.dynamic_symbols
    assert settings.trading.mode == "paper"
    untouched = paper_settings(Settings(), None, None)
    assert untouched.binance == Settings().binance and untouched.scanner.dynamic_symbols
