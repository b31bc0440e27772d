"""`--ignore-edge-gate` (issue 13 item 7): watch the whole pipeline trade when no model has an edge.

Paper and backtest turn the EV gate off for that run through bootstrap/mapping, so the container's
loop config follows; the start, every signal line and the report say so. Live refuses it in one line.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from dependency_injector import providers
from loguru import logger
from tests.unit.bootstrap.test_paper_command import SPEED, clean_env

from adapters.simulated.venue.app import create_venue_app, serve_venue
from adapters.simulated.venue.data import VenueData
from adapters.simulated.venue.state import VenueConfig
from adapters.storage.trade_journal import CsvJsonTradeJournal
from bootstrap.__main__ import main
from bootstrap.container import build_container
from bootstrap.mapping import EV_GATE_OVERRIDDEN, ev_gate_state, without_edge_gate
from bootstrap.settings_model import Settings
from domain.position import CompletedTrade, ExitReason

DATA_FILE = "freqtrade_userdata/binance_spot_1m_2026-03-23_2026-04-22_5pairs.csv.xz"
EARLIER_TRADES = 5
COOLDOWN_MS = 300_000  # risk.cooldown_seconds' default


def test_the_override_reaches_the_containers_loop_config_whatever_the_models_gate() -> None:
    settings = without_edge_gate(Settings())
    assert Settings().signal.ev_gate_enabled and not settings.signal.ev_gate_enabled
    container = build_container(settings, "paper")
    container.model.override(providers.Object(SimpleNamespace(ev_gate_margin_pct=0.3)))  # the card's gate
    assert container.loop_config().thresholds.min_expected_net_return_percent is None
    normal = build_container(Settings(), "paper")
    normal.model.override(providers.Object(SimpleNamespace(ev_gate_margin_pct=0.3)))
    assert normal.loop_config().thresholds.min_expected_net_return_percent == 0.3
    assert ev_gate_state(settings, overridden=True) == "overridden (--ignore-edge-gate)"
    assert ev_gate_state(Settings()) == "on"


def test_live_refuses_it_in_one_line_before_anything_else(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("logging: {file_enabled: false}\n", encoding="utf-8")
    assert main(["--config", str(config), "live", "--confirm-live", "--ignore-edge-gate"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["live: --ignore-edge-gate refused: real orders need the EV gate; rehearse without an edge "
                   "with paper or backtest"]


@pytest.fixture
def restore_logging() -> Iterator[None]:
    yield
    logger.remove()  # the command configured the console sink on the captured stderr
    logger.add(sys.stderr)


def test_a_backtest_without_an_edge_trades_and_its_report_says_the_gate_was_overridden(
        tmp_path: Path, shared_data: Path, paper_model_path: Path, capsys: pytest.CaptureFixture[str],
        restore_logging: None) -> None:
    for overridden in (False, True):
        reports = tmp_path / f"reports-{overridden}"  # folders are named to the second: one each
        config = tmp_path / f"c-{overridden}.yaml"
        config.write_text(f"""
signal: {{min_probability: 0.05, min_confidence: 0.0, min_predicted_move_pct: 0.0}}
logging: {{file_enabled: false}}
backtest: {{report_dir: "{reports}"}}
""", encoding="utf-8")
        flag = ["--ignore-edge-gate"] if overridden else []
        assert main(["--config", str(config), "backtest", "--data", str(shared_data / DATA_FILE), "--start",
                     "2026-04-01", "--end", "2026-04-01", "--symbols", "BTCUSDT,ETHUSDT", "--no-baselines",
                     "--model", str(paper_model_path), *flag]) == 0
        out, err = capsys.readouterr()
        (folder,) = reports.glob("backtest-*")
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        assert ("EV gate overridden (--ignore-edge-gate)" in out.splitlines()[0]) is overridden
        assert ("EV gate overridden (--ignore-edge-gate)" in summary["title"]) is overridden
        assert summary["runs"][0]["ev_gate"] == ("overridden (--ignore-edge-gate)" if overridden else "on")
        html = (folder / "report.html").read_text(encoding="utf-8")
        assert ("a rehearsal of the pipeline, not evidence of an edge" in html) is overridden
        trades = summary["runs"][0]["trades"]
        assert (trades > 0) is overridden, out  # the gate alone kept this model from trading
        assert err.count(EV_GATE_OVERRIDDEN) == overridden  # on the console, whose level is WARNING


async def test_a_paper_rehearsal_on_the_venue_trades_without_an_edge_and_keeps_its_own_books(
        tmp_path: Path, repo_root: Path, paper_model_path: Path, venue_data: VenueData) -> None:
    """One offline paper run at x600 with the EV gate on in the settings and overridden on the command
    line, the default tight TP/SL (OCO legs fill on the venue's events) and the default cooldown, over a
    journal an earlier run left: signals say the gate is overridden; every exit follows its entry; no pair
    is bought again within 300 s of its exit; the stats count this run's trades only."""
    config = tmp_path / "paper.yaml"
    config.write_text(f"""
model: {{path: "{paper_model_path}"}}
signal: {{min_probability: 0.0, min_confidence: 0.0, min_predicted_move_pct: 0.0}}
logging: {{file_enabled: false}}
""", encoding="utf-8")
    logs = tmp_path / "logs"
    journal = CsvJsonTradeJournal(logs / "trades.paper.csv", logs / "trades.paper.jsonl")
    for k in range(EARLIER_TRADES):  # an earlier run's losses, in the same paper journal
        journal.record(CompletedTrade("BTCUSDT", 100.0, 90.0, 0.1, k * 60_000, k * 60_000 + 1, 0.0,
                                      ExitReason.SL))
    app = create_venue_app(venue_data, speed=SPEED, config=VenueConfig(tick_sec=0.05))
    async with serve_venue(app) as venue:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bootstrap", "--config", str(config), "paper", "--venue", venue.rest_url,
            "--speed", str(SPEED), "--duration", "8", "--ignore-edge-gate", cwd=tmp_path,
            env=clean_env(repo_root), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await asyncio.wait_for(process.communicate(), timeout=90)
    stdout, stderr = out.decode(), err.decode()
    assert process.returncode == 0, stderr[-3000:]
    assert EV_GATE_OVERRIDDEN in stderr
    signals = [line for line in stderr.splitlines() if "Signal: BUY" in line]
    assert signals and all("[EV gate overridden: no edge required]" in line for line in signals)
    assert "paper: EV gate overridden (--ignore-edge-gate)" in stdout

    trades = journal.trades()[EARLIER_TRADES:]
    assert trades, stderr[-3000:]
    assert all(t.exit_time_ms >= t.entry_time_ms for t in trades)
    last_exit: dict[str, int] = {}
    for trade in sorted(trades, key=lambda t: t.entry_time_ms):
        assert trade.entry_time_ms >= last_exit.get(trade.symbol, 0) + COOLDOWN_MS, trade
        last_exit[trade.symbol] = trade.exit_time_ms
    assert f": {len(trades)} trade(s) journaled in" in stdout
    assert f"Stats: trades={len(trades)} " in stdout.splitlines()[-1]
