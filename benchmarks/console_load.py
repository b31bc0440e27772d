"""The operator's console at work beside a bot, for bench_tick_to_order.py's on/off comparison:

the ConsoleService (dashboard server, one snapshot a second pushed to an open dashboard and into the
Prometheus metrics), a dashboard stream and a /metrics scrape each second (curl, in child processes as a
browser and Prometheus would be), apprise notifications to a local webhook (a child process) on every
order, and the timing wrappers around the bot's feed and exchange. The snapshot is a stand-in of a busy
bot's size (2,000 equity points, 20 trades, decisions and alerts, 10 candidates): this measures what the
console costs the bot's event loop, not the loop's own snapshot code (tests cover that).
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from pydantic import SecretStr

from adapters.clocks import SystemClock
from adapters.console.config import ConsoleConfig, NotifyConfig
from adapters.console.metrics import ConsoleMetrics
from adapters.console.service import ConsoleService
from domain.position import CompletedTrade, ExitReason
from ports.console import (
    AlertView,
    BotSnapshot,
    CandidateView,
    DecisionView,
    FeedView,
    PositionView,
    RiskView,
)

TOKEN = "bench-console-token"
WEBHOOK = """
import http.server, sys
class Hook(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200); self.end_headers(); self.wfile.write(b"ok")
    def log_message(self, *args): pass
server = http.server.HTTPServer(("127.0.0.1", 0), Hook)
print(server.server_address[1], flush=True)
server.serve_forever()
"""

SCRAPER = """
import sys, time, urllib.request
request = urllib.request.Request(sys.argv[1], headers={"Authorization": f"Bearer {sys.argv[2]}"})
while True:
    urllib.request.urlopen(request, timeout=5).read()
    time.sleep(1)
"""


class BusyBot:
    """A console source the size of a busy bot's; the controls only count."""

    def __init__(self, clock: SystemClock) -> None:
        self._clock, self.asked = clock, 0
        now = clock.now_ms()
        trade = CompletedTrade("BTCUSDT", 100.0, 100.3, 0.1, now - 60_000, now, 0.02, ExitReason.TP)
        self._parts: dict[str, Any] = dict(
            mode="paper", venue="PAPER", started_ms=now, model_version="bench", ev_gate_margin_pct=0.0,
            entries_paused=False, running=True, stopped_reason=None, loop_stalled=False, equity=100.0,
            quote_asset="USDT", feed=FeedView(now, 5, 40, 0, False),
            risk=RiskView(0.1, 100.0, 10.0, 3, 20, 12, 100, 1, 1, 0.01, 0.25, 101.0, False, None),
            positions=(PositionView("ETHUSDT", 0.01, 2000.0, now, 2001.0, 0.01, 1992.0, 2006.0, None, 7, 8),),
            trades=(trade,) * 20, trade_count=20, run_pnl_usdt=0.1, run_wins=12,
            candidates=tuple(CandidateView(f"P{i}USDT", 1.0, 0.1, 0.2, 1e7, 0.01) for i in range(10)),
            alerts=tuple(AlertView("BTCUSDT", "MOMENTUM", 0.7, now, now) for _ in range(20)),
            decisions=tuple(DecisionView(now, "no-trade", "no trade: best expected net return -0.05%")
                            for _ in range(20)),
            equity_curve=tuple((now - i * 10_000, 100.0 + i * 1e-3) for i in range(2_000)))

    def snapshot(self) -> BotSnapshot:
        return BotSnapshot(now_ms=self._clock.now_ms(), **self._parts)

    def _count(self) -> str:
        self.asked += 1
        return "ok"

    pause_entries = resume_entries = stop_bot = reset_kill_switch = _count

    def close_position(self, symbol: str) -> str:
        return self._count()


@asynccontextmanager
async def console_running(metrics: ConsoleMetrics) -> AsyncIterator[ConsoleService]:
    hook = await asyncio.create_subprocess_exec(sys.executable, "-c", WEBHOOK, stdout=asyncio.subprocess.PIPE)
    assert hook.stdout is not None
    hook_port = int(await hook.stdout.readline())
    clock = SystemClock()
    config = ConsoleConfig(token=SecretStr(TOKEN), port=0, notify=NotifyConfig(
        urls=(SecretStr(f"json://127.0.0.1:{hook_port}/hook"),)))
    children = [hook]
    try:
        async with ConsoleService(BusyBot(clock), config, clock, metrics=metrics) as service:
            base, auth = f"http://127.0.0.1:{service.port}", f"Authorization: Bearer {TOKEN}"
            children.append(await asyncio.create_subprocess_exec(  # an open dashboard
                "curl", "-sN", "-H", auth, f"{base}/api/stream", "-o", "/dev/null"))
            children.append(await asyncio.create_subprocess_exec(  # Prometheus, scraping every second
                sys.executable, "-c", SCRAPER, f"{base}/metrics", TOKEN))
            yield service
    finally:
        for child in children:
            with contextlib.suppress(ProcessLookupError):
                child.terminate()
            await child.wait()
