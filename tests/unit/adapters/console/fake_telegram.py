"""A local fake of the Telegram Bot API on 127.0.0.1: getMe, getUpdates (long polling), sendMessage,
deleteWebhook; any other method answers ok. Tests queue updates as a user would send them and read what
the bot sent back."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from typing import Any

from aiohttp import web

BOT_TOKEN = "123456:fake-telegram-token"


class FakeTelegram:
    def __init__(self) -> None:
        self.updates: list[dict[str, Any]] = []
        self.sent: list[dict[str, Any]] = []
        self._next_id = 1
        self._arrived = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    def user_says(self, chat_id: int, text: str) -> None:
        command = text.split()[0]
        entities = [{"type": "bot_command", "offset": 0, "length": len(command)}] if text[0] == "/" else []
        self.updates.append({"update_id": self._next_id, "message": {
            "message_id": self._next_id, "date": int(time.time()), "text": text,
            "chat": {"id": chat_id, "type": "private"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "Operator"},
            "entities": entities}})
        self._next_id += 1
        self._arrived.set()

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._method)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _params(self, request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":
            return dict(await request.json())
        form = await request.post()
        params: dict[str, Any] = {}
        for key, value in form.items():
            try:
                params[key] = json.loads(str(value))
            except ValueError:
                params[key] = str(value)
        return params

    async def _method(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != BOT_TOKEN:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"},
                                     status=401)
        method, params = request.match_info["method"], await self._params(request)
        if method == "getMe":
            result: Any = {"id": 123456, "is_bot": True, "first_name": "Fake", "username": "fake_bot"}
        elif method == "getUpdates":
            result = await self._updates(int(params.get("offset") or 0), float(params.get("timeout") or 0))
        elif method == "sendMessage":
            self.sent.append(params)
            result = {"message_id": 1000 + len(self.sent), "date": int(time.time()), "text": params["text"],
                      "chat": {"id": int(params["chat_id"]), "type": "private"}}
        else:
            result = True
        return web.json_response({"ok": True, "result": result})

    async def _updates(self, offset: int, wait_sec: float) -> list[dict[str, Any]]:
        pending = [u for u in self.updates if u["update_id"] >= offset]
        if not pending and wait_sec > 0:
            self._arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), min(wait_sec, 1.0))
            pending = [u for u in self.updates if u["update_id"] >= offset]
        return pending
