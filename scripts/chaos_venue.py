"""Crash-only check against the local venue with the REAL CLI (issue 14, item 6).

The venue runs in this process (so its full order history and account are read directly); the bot is
`python -m bootstrap live --confirm-live` in a child process, pointed at the venue with its default key,
the signal gate open, short timeouts, its state and logs in a temp folder. Each round it is SIGKILLed: after
a seeded random delay, or the instant the venue executes an entry buy (before its OCO can be placed), or
the instant the venue cancels an OCO at the bot's request (before the sale can leave). Then it restarts.
At the end a last run recovers, stops on SIGTERM, and the venue's history is checked against the store and
the journal. Exit 0 when every check holds, 1 when one fails.

    scripts/chaos --venue --kills 50 --seed 7
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import sys
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from adapters.simulated.settlement import OrderUpdate  # noqa: E402
from adapters.simulated.venue.data import load_venue_data, parse_day  # noqa: E402
from adapters.simulated.venue.trading import TradingVenue, serve_trading_venue  # noqa: E402
from adapters.simulated.venue.trading_desk import (  # noqa: E402
    DEFAULT_API_KEY,
    DEFAULT_API_SECRET,
    TradingConfig,
)
from domain.values import Side  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from chaos_venue_checks import check, failures, naked_holdings  # noqa: E402

MOMENTS = ("random", "random", "after-entry", "after-oco-cancel")


@dataclass
class Killer:
    """Arms one SIGKILL of the running bot at a venue event (called inside the venue's engine)."""

    pid: int = -1
    armed: str = ""
    kills: dict[str, int] = field(default_factory=dict)

    def on_update(self, update: OrderUpdate) -> None:
        report = update.report
        entry = update.execution == "TRADE" and report.side is Side.BUY \
            and report.client_order_id.startswith("cse")
        oco_cancel = update.execution == "CANCELED" and report.order_list_id >= 0
        hit = (self.armed == "after-entry" and entry) or (self.armed == "after-oco-cancel" and oco_cancel)
        if hit and self.pid > 0:
            self.kill(self.armed)

    def kill(self, moment: str) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            return
        self.kills[moment] = self.kills.get(moment, 0) + 1
        self.pid, self.armed = -1, ""


def bot_config(folder: Path, venue: TradingVenue, symbols: tuple[str, ...], max_open: int) -> Path:
    config = {
        "trading": {"symbols": list(symbols), "max_symbols_active": len(symbols)},
        "scanner": {"dynamic_symbols": False, "min_volume_24h": 0, "max_spread_pct": 100},
        "timing": {"position_timeout_seconds": 30, "scan_interval_seconds": 1},
        "risk": {"initial_capital": 100.0, "max_open_positions": max_open, "cooldown_seconds": 0,
                 "max_trades_per_hour": 1000, "max_trades_per_day": 10000, "max_daily_loss_pct": 0.9,
                 "max_drawdown_pct": 0.9},
        "signal": {"ev_gate_enabled": False, "min_probability": 0.0, "min_confidence": 0,
                   "min_predicted_move_pct": 0},
        "model": {"path": str(ROOT / "models" / "onnx")},
        "binance": {"rest_url": venue.rest_url, "ws_url": venue.ws_url, "ws_api_url": venue.ws_api_url},
        "logging": {"file_path": str(folder / "logs" / "bot.log"),
                    "trade_log_path": str(folder / "trades.csv"),
                    "trade_json_path": str(folder / "trades.jsonl")},
        "state": {"dir": str(folder / "state")},
    }
    path = folder / "chaos.json"  # YAML is a superset of JSON
    path.write_text(json.dumps(config))
    return path


async def start_bot(folder: Path, config: Path, run: int) -> asyncio.subprocess.Process:
    env = {**os.environ, "BINANCE_API_KEY": DEFAULT_API_KEY, "BINANCE_API_SECRET": DEFAULT_API_SECRET,
           "PYTHONPATH": str(ROOT / "src")}
    out = (folder / "logs" / f"run-{run:03d}.out").open("wb")
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bootstrap", "live", "--confirm-live", "--config", str(config),
        cwd=folder, env=env, stdout=out, stderr=asyncio.subprocess.STDOUT)


async def chaos(kills: int, seed: int, folder: Path, *, data: Path, start: str, max_open: int,
                speed: float, settle: float, max_delay: float, max_down: float = 0.0) -> dict[str, Any]:
    rng = random.Random(seed)
    venue_data = load_venue_data(data, start_ms=parse_day(start), minutes=3 * 60)
    (folder / "logs").mkdir(parents=True, exist_ok=True)
    killer = Killer()
    async with serve_trading_venue(venue_data, speed=speed,
                                   config=TradingConfig(deposits={"USDT": Decimal(1000)})) as venue:
        desk = venue.desk
        desk.engine.listeners.append(killer.on_update)
        config = bot_config(folder, venue, venue_data.symbols, max_open)
        recoveries = Recoveries()
        for run in range(kills):
            process = await start_bot(folder, config, run)
            watch = asyncio.create_task(after_recovery(venue, folder, run, desk.now_ms(), recoveries))
            moment, delay = rng.choice(MOMENTS), rng.uniform(1.0, max_delay)
            killer.pid, killer.armed = process.pid, "" if moment == "random" else moment
            # An armed event kill waits up to 3 x max_delay for its event; then the timer kills anyway.
            try:
                await asyncio.wait_for(process.wait(), delay if moment == "random" else 3 * max_delay)
            except TimeoutError:
                killer.kill("random" if moment == "random" else f"{moment} (timer)")
            await process.wait()
            watch.cancel()
            if process.returncode not in (-signal.SIGKILL, None):
                return {"error": f"run {run} exited by itself with {process.returncode} (see "
                                 f"{folder}/logs/run-{run:03d}.out)"}
            await asyncio.sleep(rng.uniform(0.0, max_down))  # down: OCO legs may fill, nobody watching
        killer.pid, killer.armed = -1, ""
        process = await start_bot(folder, config, kills)  # the last run: recovers, then stops gracefully
        watch = asyncio.create_task(after_recovery(venue, folder, kills, desk.now_ms(), recoveries))
        await asyncio.sleep(settle)
        watch.cancel()
        stopped_ms = desk.now_ms()
        process.send_signal(signal.SIGTERM)
        code = await process.wait()
        result: dict[str, Any] = check(venue, folder, max_open, stopped_ms)
        return result | {"runs that finished recovery": recoveries.runs,
                         "naked after a recovery": len(recoveries.naked), "naked after": recoveries.naked[:5],
                         "kills": killer.kills, "final exit": code}


@dataclass
class Recoveries:
    runs: int = 0
    naked: list[str] = field(default_factory=list)


async def after_recovery(venue: TradingVenue, folder: Path, run: int, started_ms: int,
                         seen: Recoveries) -> None:
    """When run `run` logs the end of its start-up recovery, every holding from before it started must be
    under an OCO (or dust). Looked at twice, 0.5 s apart: a sale in flight is not a naked position."""
    out = folder / "logs" / f"run-{run:03d}.out"
    # The child's log is the only signal of its recovery's end (ASYNC110 wants an Event: none exists).
    while "position(s) re-adopted" not in (out.read_text(errors="replace") if out.exists() else ""):  # noqa: ASYNC110
        await asyncio.sleep(0.05)
    seen.runs += 1
    first = naked_holdings(venue, held_before_ms=started_ms)
    if first:
        await asyncio.sleep(0.5)
        seen.naked.extend(f"run {run}: {n}" for n in naked_holdings(venue, held_before_ms=started_ms)
                     if n in first)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-open", type=int, default=1)
    parser.add_argument("--data", type=Path, default=ROOT / "data" / "sample")
    parser.add_argument("--start", default="2026-04-02")
    parser.add_argument("--speed", type=float, default=10.0, help="venue clock speed (default x10)")
    parser.add_argument("--max-delay", type=float, default=12.0,
                        help="longest random delay before a kill (s)")
    parser.add_argument("--max-down", type=float, default=6.0,
                        help="longest time the bot stays down after a kill (s; the venue keeps trading)")
    parser.add_argument("--settle", type=float, default=25.0, help="seconds the last run gets before SIGTERM")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temp folder (state, logs, journal; kept anyway on a failure)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="chaos-venue-"))
    result = asyncio.run(chaos(args.kills, args.seed, folder, data=args.data, start=args.start,
                               max_open=args.max_open, speed=args.speed, settle=args.settle,
                               max_delay=args.max_delay, max_down=args.max_down))
    for name, value in result.items():
        print(f"{name:<38} {value}")
    problems = failures(result)
    print(f"chaos --venue: seed {args.seed}, {args.kills} kills: "
          + ("every check held" if not problems else "FAILED: " + ", ".join(problems))
          + (f" (folder {folder})" if problems or args.keep else ""))
    if not problems and not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
