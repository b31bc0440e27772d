"""Paper mode on 200 pairs: CPU and memory of the bot process (issue 6 item 4). Target: < 200 MB resident.

The local venue (in this process, 127.0.0.1) streams 200 USDT pairs built from the real 96-pair 1m set
of 2021 (freqtrade_userdata/..._96pairs.csv.xz): the 94 pairs that are not fiat, under their own names,
plus 106 "replicas" named <BASE>R<k>USDT that replay a real pair's bars from k days earlier, moved onto
the replay window (real series, different paths). The bot is `python -m bootstrap paper --venue URL` in
a subprocess, exactly as a user runs it: the real OnnxModel (the committed one, else a small model
trained here on the engine's features), BinanceMarketFeed on one WebSocket, the SimulatedExchange
filling against the streamed books, the journal. Its thresholds are lowered to zero so it trades while
measured (positions, OCOs and exits are part of the cost); TP/SL/timeout are the defaults.

Measured on the bot process once its loop has started: CPU % of one core (psutil cpu_times, user +
system, over the wall time), peak RSS (the kernel's high-water mark, VmHWM) and the RSS at the end.
`--speed 1` is production's pace (tickers once a second); a higher speed replays faster and costs more.

    .venv/bin/python benchmarks/bench_paper.py [--speed 1] [--seconds 90] [--pairs 200] [--launch both]
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from adapters.simulated.venue.app import create_venue_app, serve_venue  # noqa: E402
from adapters.simulated.venue.data import VenueData, load_venue_data, parse_day  # noqa: E402
from domain.features import KlineArrays  # noqa: E402
from domain.time_units import DAY_MS, MINUTE_MS  # noqa: E402
from domain.universe import PEGGED_BASES  # noqa: E402

DATA = (ROOT.parent / "shared" / "data" / "freqtrade_userdata"
        / "binance_spot_1m_2021-04-02_2021-05-31_96pairs.csv.xz")
START = "2021-05-10"  # most of the 96 pairs trade until 2021-05-14
TARGET_MB = 200


def shifted(k: KlineArrays, start_ms: int, end_ms: int, shift_ms: int) -> KlineArrays:
    """The bars of [start_ms, end_ms), moved `shift_ms` later."""
    lo, hi = (int(i) for i in np.searchsorted(k.open_time_ms, [start_ms, end_ms]))
    return KlineArrays(k.open_time_ms[lo:hi] + shift_ms, k.open[lo:hi], k.high[lo:hi], k.low[lo:hi],
                       k.close[lo:hi], k.volume[lo:hi], k.taker_buy_base_volume[lo:hi], k.quote_volume[lo:hi],
                       k.trades[lo:hi])


def two_hundred_pairs(pairs: int, minutes: int) -> VenueData:
    start = parse_day(START)
    replicas = 1 + (pairs - 1) // 90
    loaded = load_venue_data(DATA, start_ms=start - replicas * DAY_MS, minutes=replicas * 1440 + minutes)
    originals = sorted(s for s in loaded.symbols if s[:-4] not in PEGGED_BASES)
    bars: dict[str, KlineArrays] = {}
    for k in range(replicas + 1):
        for symbol in originals:
            if len(bars) == pairs:
                break
            shift = k * DAY_MS
            window = shifted(loaded.bars[symbol], start - shift - DAY_MS, start - shift + minutes * MINUTE_MS,
                             shift)
            if len(window) >= 1440:
                bars[symbol if k == 0 else f"{symbol[:-4]}R{k}USDT"] = window
    return VenueData(bars)


def model_path(folder: Path) -> Path:
    from tests.support.synthetic_model import committed_or_small_model

    return committed_or_small_model(ROOT / "models" / "onnx", folder / "model")


def write_config(folder: Path, model: Path, pairs: int) -> Path:
    config = folder / "bench.yaml"
    config.write_text(f"""
model: {{path: "{model}"}}
signal: {{min_probability: 0.0, min_confidence: 0.0, min_predicted_move_pct: 0.0, ev_gate_enabled: false}}
risk: {{initial_capital: 100.0}}
scanner: {{max_pairs: {pairs}, min_volume_24h: 0}}
logging: {{file_enabled: false}}
""", encoding="utf-8")
    return config


def high_water_mb(process: psutil.Process) -> float:
    for line in Path(f"/proc/{process.pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float(process.memory_info().rss) / 2**20


# The paper command alone, without the CLI's import of every other command module (train pulls in
# lightgbm, scikit-learn, scipy, onnx): what `python -m bootstrap paper` would cost with lazy commands.
PAPER_ONLY = """
import argparse, sys
from pathlib import Path
from bootstrap.commands import command_modules
(paper,) = command_modules("paper")  # as the CLI imports it (lean: talib without pandas)
from bootstrap.logging import configure_logging
from bootstrap.settings import load_settings
parser = argparse.ArgumentParser()
paper.add_parser(parser.add_subparsers(dest="command"))
args = parser.parse_args(sys.argv[2:])
settings = load_settings(Path(sys.argv[1]))
configure_logging(settings.logging)
sys.exit(args.run(args, settings))
"""


def bot_command(launch: str, config: Path, venue_url: str, speed: float) -> list[str]:
    paper_args = ["paper", "--venue", venue_url, "--speed", str(speed)]
    if launch == "cli":
        return [sys.executable, "-m", "bootstrap", "--config", str(config), *paper_args]
    return [sys.executable, "-c", PAPER_ONLY, str(config), *paper_args]


async def measure(launch: str, args: argparse.Namespace, data: VenueData, folder: Path,
                  config: Path) -> float:
    """Run the bot, print its figures, return its peak RSS in MB."""
    log_path = folder / f"paper-{launch}.log"
    app = create_venue_app(data, speed=args.speed, start_ms=parse_day(START))
    async with serve_venue(app) as venue:
        with log_path.open("wb") as log:
            bot = await asyncio.create_subprocess_exec(
                *bot_command(launch, config, venue.rest_url, args.speed), cwd=folder,
                stdout=asyncio.subprocess.PIPE, stderr=log,
                env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"})
            process = psutil.Process(bot.pid)
            while b"Trading loop started" not in log_path.read_bytes():
                if bot.returncode is not None:
                    raise SystemExit("paper mode did not start:\n" + log_path.read_text()[-3000:])
                await asyncio.sleep(0.2)
            startup_mb = process.memory_info().rss / 2**20
            cpu0, wall0 = process.cpu_times(), time.monotonic()
            rss_peak = 0.0
            while time.monotonic() - wall0 < args.seconds:
                rss_peak = max(rss_peak, process.memory_info().rss / 2**20)
                await asyncio.sleep(0.5)
            cpu1, wall1 = process.cpu_times(), time.monotonic()
            hwm, rss_end = high_water_mb(process), process.memory_info().rss / 2**20
            bot.send_signal(signal.SIGTERM)
            out, _ = await bot.communicate()
    cpu = (cpu1.user + cpu1.system - cpu0.user - cpu0.system) / (wall1 - wall0) * 100
    text = log_path.read_text(encoding="utf-8", errors="replace")
    universe = [line.split("| ", 2)[2] for line in text.splitlines() if "universe:" in line]
    print(f"[{launch}] {len(data.symbols)} pairs at x{args.speed:g} for {wall1 - wall0:.0f} s "
          f"({(wall1 - wall0) * args.speed / 60:.0f} min of replay), exit code {bot.returncode}; "
          f"{universe[0] if universe else 'no universe line'}")
    print(f"  positions opened {text.count('Position opened:')}, closed {text.count('Position closed:')}; "
          f"{out.decode().strip().splitlines()[-1] if out else 'no final stats line'}")
    print(f"  CPU: {cpu:.1f}% of one core (user+system over the measured wall time)")
    print(f"  memory: RSS after start-up {startup_mb:.0f} MB, sampled max {rss_peak:.0f} MB, "
          f"peak (VmHWM) {hwm:.0f} MB, at the end {rss_end:.0f} MB")
    print(f"  target: peak RSS < {TARGET_MB} MB: {'PASS' if hwm < TARGET_MB else 'FAIL'} ({hwm:.0f} MB)")
    return hwm


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=200)
    parser.add_argument("--speed", type=float, default=1.0, help="venue replay speed (1 = real time)")
    parser.add_argument("--seconds", type=float, default=90.0, help="measured wall time after start-up")
    parser.add_argument("--launch", choices=("cli", "paper-only", "both"), default="both",
                        help="cli: python -m bootstrap paper (as users run it); paper-only: the paper "
                             "command without the other commands' imports")
    args = parser.parse_args()
    minutes = int(args.seconds * args.speed / 60) + 30
    t0 = time.monotonic()
    data = two_hundred_pairs(args.pairs, minutes)
    print(f"venue data: {len(data.symbols)} pairs, {sum(len(k) for k in data.bars.values()):,} bars "
          f"(loaded in {time.monotonic() - t0:.0f} s)")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        config = write_config(folder, model_path(folder), args.pairs)
        for launch in ("cli", "paper-only") if args.launch == "both" else (args.launch,):
            asyncio.run(measure(launch, args, data, folder, config))


if __name__ == "__main__":
    main()
