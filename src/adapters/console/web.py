"""The console's web face on aiohttp: the dashboard (one static page, vanilla JS, live by Server-Sent
Events), the JSON REST API under /api, /metrics for Prometheus and /health for a service manager.

    GET  /api/status /api/positions /api/trades /api/risk /api/decisions /api/candidates /api/equity
    GET  /api/stream                       text/event-stream: the whole snapshot every pulse
    POST /api/pause /api/resume /api/stop /api/kill-switch/reset /api/model-gate/reopen
         /api/positions/{symbol}/close
    GET  /metrics   (Prometheus text)      GET /health (200, or 503 when the feed is stale or the loop stalls)

The access log is off: a URL may carry `?token=` once (auth.py), and the token is never logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aiohttp import web
from pydantic import SecretStr

from adapters.console.auth import login_cookie, same_token, token_middleware
from adapters.console.json_view import section_json, snapshot_json, status_json
from ports.console import BotSnapshot, Console, UnknownPosition

STATIC = Path(__file__).with_name("static")
SECTIONS = ("status", "positions", "trades", "risk", "decisions", "candidates", "equity")


class ConsoleWeb:
    def __init__(self, console: Console, token: SecretStr, *, metrics_text: Callable[[], bytes]) -> None:
        self._console, self._token, self._metrics_text = console, token, metrics_text
        self._streams: set[asyncio.Queue[str]] = set()
        self.app = web.Application(middlewares=[token_middleware(token)])
        self.app.add_routes([
            web.get("/", self._page), web.get("/login", self._login_page), web.post("/login", self._login),
            web.get("/static/{name}", self._static), web.get("/api/stream", self._stream),
            *(web.get(f"/api/{name}", self._section) for name in SECTIONS),
            web.post("/api/pause", self._control), web.post("/api/resume", self._control),
            web.post("/api/stop", self._control), web.post("/api/kill-switch/reset", self._control),
            web.post("/api/model-gate/reopen", self._control),
            web.post("/api/positions/{symbol}/close", self._close),
            web.get("/metrics", self._metrics), web.get("/health", self._health)])
        self.app.on_shutdown.append(self._end_streams)

    def publish(self, snapshot: BotSnapshot) -> None:
        """Push one snapshot to every open dashboard (a slow one skips frames, never blocks)."""
        if not self._streams:
            return
        frame = json.dumps(snapshot_json(snapshot))
        for queue in self._streams:
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait(frame)

    # -- pages ---------------------------------------------------------------------------------------
    async def _page(self, request: web.Request) -> web.StreamResponse:
        return web.FileResponse(STATIC / "index.html")

    async def _login_page(self, request: web.Request) -> web.StreamResponse:
        return web.FileResponse(STATIC / "login.html")

    async def _login(self, request: web.Request) -> web.StreamResponse:
        form = await request.post()
        given = str(form.get("token", ""))
        if not given or not same_token(given, self._token):
            raise web.HTTPFound("/login?failed=1")
        response = web.HTTPFound("/")
        login_cookie(response, self._token)
        raise response

    async def _static(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        path = STATIC / name
        if "/" in name or name.startswith(".") or not path.is_file():
            raise web.HTTPNotFound()
        return web.FileResponse(path)

    # -- the API -------------------------------------------------------------------------------------
    async def _section(self, request: web.Request) -> web.StreamResponse:
        name = request.path.removeprefix("/api/")
        return web.json_response(section_json(self._console.snapshot(), name))

    async def _control(self, request: web.Request) -> web.StreamResponse:
        action: dict[str, Callable[[], str]] = {
            "/api/pause": self._console.pause_entries, "/api/resume": self._console.resume_entries,
            "/api/stop": self._console.stop_bot, "/api/kill-switch/reset": self._console.reset_kill_switch,
            "/api/model-gate/reopen": self._console.reopen_model_gate}
        return web.json_response({"ok": True, "message": action[request.path]()})

    async def _close(self, request: web.Request) -> web.StreamResponse:
        try:
            message = self._console.close_position(request.match_info["symbol"])
        except UnknownPosition as exc:
            return web.json_response({"ok": False, "message": str(exc)}, status=404)
        return web.json_response({"ok": True, "message": message}, status=202)

    async def _stream(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream",
                                               "Cache-Control": "no-cache"})
        await response.prepare(request)
        queue: asyncio.Queue[str] = asyncio.Queue(maxsize=2)
        self._streams.add(queue)
        try:
            await response.write(f"data: {json.dumps(snapshot_json(self._console.snapshot()))}\n\n".encode())
            while True:
                frame = await queue.get()
                if not frame:
                    break
                await response.write(f"data: {frame}\n\n".encode())
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            self._streams.discard(queue)
        return response

    async def _end_streams(self, app: web.Application) -> None:
        for queue in list(self._streams):
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait("")

    # -- monitoring ----------------------------------------------------------------------------------
    async def _metrics(self, request: web.Request) -> web.StreamResponse:
        return web.Response(body=self._metrics_text(), content_type="text/plain", charset="utf-8",
                            headers={"X-Content-Type": "prometheus-0.0.4"})

    async def _health(self, request: web.Request) -> web.StreamResponse:
        s = self._console.snapshot()
        body: dict[str, Any] = {"healthy": s.healthy, **{k: status_json(s)[k] for k in
                                ("running", "loop_stalled", "feed", "stopped_reason")}}
        return web.json_response(body, status=200 if s.healthy else 503)
