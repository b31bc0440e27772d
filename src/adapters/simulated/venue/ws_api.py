"""The venue's WebSocket API at /ws-api/v3, for user data (binance-spot-api.md 5): listenKeys are gone.

Requests `{"id", "method", "params"}` get `{"id", "status", "result"|"error", "rateLimits"}`. Methods:
`userDataStream.subscribe.signature` (apiKey + timestamp + HMAC signature over the sorted params),
`session.logon` (here HMAC is accepted too: the venue has no Ed25519 keys) then
`userDataStream.subscribe`, `userDataStream.unsubscribe`, `session.status`, `session.logout`,
`session.subscriptions`, `ping`, `time`. A subscription receives `{"subscriptionId", "event"}` frames:
executionReport for every engine order change, then outboundAccountPosition for the assets touched and
listStatus when an OCO changes state.

Request weight comes out of the same per-IP REQUEST_WEIGHT budget as REST (binance-spot-api.md 3): 2 for a
connection, 1 for ping/time, 2 for every other method; over the budget a request is refused with 429 and
`error.data.retryAfter` (epoch ms), and a banned IP gets 418.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from contextlib import suppress
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from aiohttp import WSMsgType, web

from adapters.simulated.matching import OrderUpdate
from adapters.simulated.venue.signing import ApiError, check_timestamp, hmac_signature, ws_signed_payload
from adapters.simulated.venue.trading_desk import TradingDesk
from adapters.simulated.venue.trading_json import s8
from domain.orders import ListStatus, OrderType

ZERO = Decimal(0)
W_CONNECTION, W_LIGHT, W_METHOD = 2, 1, 2
_LIGHT_METHODS = {"ping", "time"}
_STOP_TYPES = {OrderType.STOP_LOSS, OrderType.STOP_LOSS_LIMIT, OrderType.TAKE_PROFIT,
               OrderType.TAKE_PROFIT_LIMIT}


@dataclass(eq=False)
class _Session:
    ws: web.WebSocketResponse
    request: web.Request
    api_key: str | None = None
    subscription: int | None = None
    updates: asyncio.Queue[OrderUpdate] = field(default_factory=asyncio.Queue)


class WsApi:
    def __init__(self, desk: TradingDesk) -> None:
        self.desk = desk
        self.sessions: set[_Session] = set()
        self._subscription_ids = itertools.count(0)
        self._execution_ids = itertools.count(1)
        self._list_states: dict[int, tuple[str, str]] = {}
        desk.subscribers.append(self._on_update)
        desk.faults.drop_hooks.append(self.drop_all)

    # -- connection ---------------------------------------------------------------------------------------
    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(heartbeat=20.0)
        await ws.prepare(request)
        session = _Session(ws, request)
        self.sessions.add(session)
        with suppress(ApiError):  # counted; a refusal comes with the first request
            self._charge(session, W_CONNECTION)
        writer = asyncio.get_running_loop().create_task(self._write_events(session))
        try:
            async for message in ws:
                if message.type is WSMsgType.TEXT:
                    reply = self._reply(session, message.data)
                    await ws.send_str(json.dumps(reply))
        except (ConnectionResetError, RuntimeError):
            pass
        finally:
            self.sessions.discard(session)
            writer.cancel()
            with suppress(asyncio.CancelledError):
                await writer
        return ws

    def drop_all(self) -> int:
        """Cut every connection at the TCP level (no close frame)."""
        dropped = 0
        for session in list(self.sessions):
            if session.request.transport is not None:
                session.request.transport.abort()
                dropped += 1
        return dropped

    # -- requests -----------------------------------------------------------------------------------------
    def _reply(self, session: _Session, text: str) -> dict[str, Any]:
        request_id: Any = None
        with_limits = True
        try:
            message = json.loads(text)
            if not isinstance(message, dict) or not isinstance(message.get("params", {}), dict):
                raise ApiError(400, -1102, "A request is a JSON object with an object of params.")
            request_id = message.get("id")
            params = message.get("params") or {}
            with_limits = params.pop("returnRateLimits", True) is not False
            method = str(message.get("method", "")).removeprefix("v3/")
            self._charge(session, W_LIGHT if method in _LIGHT_METHODS else W_METHOD)
            result = self._call(session, method, params)
            body: dict[str, Any] = {"id": request_id, "status": 200, "result": result}
        except ApiError as exc:
            body = {"id": request_id, "status": exc.status, "error": exc.body()}
            if exc.headers.get("retryAfter"):
                body["error"]["data"] = {"retryAfter": int(exc.headers["retryAfter"])}
        except ValueError:
            body = {"id": None, "status": 400, "error": {"code": -1102, "msg": "Request is not valid JSON."}}
        if with_limits:
            body["rateLimits"] = self._rate_limits(session)
        return body

    def _call(self, session: _Session, method: str, params: dict[str, Any]) -> Any:
        now = self.desk.now_ms()
        if method == "ping":
            return {}
        if method == "time":
            return {"serverTime": now}
        if method == "userDataStream.subscribe.signature":
            self._verify(params)
            return self._subscribe(session)
        if method == "session.logon":
            session.api_key = self._verify(params)
            return self._status(session)
        if method == "session.status":
            return self._status(session)
        if method == "session.logout":
            session.api_key, session.subscription = None, None
            return self._status(session)
        if method == "userDataStream.subscribe":
            if session.api_key is None:
                raise ApiError(401, -2015, "Invalid API-key, IP, or permissions for action.")
            return self._subscribe(session)
        if method == "userDataStream.unsubscribe":
            session.subscription = None
            return {}
        if method == "session.subscriptions":
            return [] if session.subscription is None else [{"subscriptionId": session.subscription}]
        raise ApiError(400, -1100, f"Unknown method '{method}'.")

    def _charge(self, session: _Session, weight: int) -> None:
        """Count `weight` on the IP's budget; refuse (429, or 418 while banned) when it is spent."""
        ip, now = session.request.remote or "?", self.desk.now_ms()
        banned_until = self.desk.banned_until_ms.get(ip, 0)
        if banned_until > now:
            raise ApiError(418, -1003, f"Way too much request weight used; IP banned until {banned_until}.",
                           {"retryAfter": str(banned_until)})
        over = self.desk.limits.add("REQUEST_WEIGHT", ip, weight, now, {})
        if over is not None:
            raise ApiError(429, -1003, f"Too much request weight used; current limit is {over.limit} request "
                           f"weight per {over.interval_ms // 1000} SECOND.",
                           {"retryAfter": str(over.start_ms + over.interval_ms)})

    def _verify(self, params: dict[str, Any]) -> str:
        name = str(params.get("apiKey") or "")
        key = self.desk.api_key(name)
        signature = str(params.get("signature") or "")
        if hmac_signature(key.secret, ws_signed_payload(params)) != signature.lower():
            raise ApiError(400, -1022, "Signature for this request is not valid.")
        check_timestamp({k: str(v) for k, v in params.items()}, self.desk.now_ms())
        return name

    def _subscribe(self, session: _Session) -> dict[str, Any]:
        if session.subscription is not None:
            raise ApiError(400, -2035, "User Data Stream subscription already active.")
        session.subscription = next(self._subscription_ids)
        return {"subscriptionId": session.subscription}

    def _status(self, session: _Session) -> dict[str, Any]:
        return {"apiKey": session.api_key, "authorizedSince": self.desk.now_ms() if session.api_key else None,
                "connectedSince": self.desk.now_ms(), "returnRateLimits": True,
                "serverTime": self.desk.now_ms(), "userDataStream": session.subscription is not None}

    def _rate_limits(self, session: _Session) -> list[dict[str, Any]]:
        ip = session.request.remote or "?"
        return [{**w.spec, "count": w.used.get(ip, 0)} for w in self.desk.limits.windows
                if w.kind == "REQUEST_WEIGHT"]

    # -- events -------------------------------------------------------------------------------------------
    def _on_update(self, update: OrderUpdate) -> None:
        if self.desk.faults.lost_user_events > 0:  # lost on the way; the sockets stay up
            self.desk.faults.lost_user_events -= 1
            return
        for session in self.sessions:
            if session.subscription is not None:
                session.updates.put_nowait(update)

    async def _write_events(self, session: _Session) -> None:
        while True:
            batch = [await session.updates.get()]
            while not session.updates.empty():
                batch.append(session.updates.get_nowait())
            frames = [self._execution_report(u) for u in batch]
            frames.append(self._account_position({a for u in batch for a in self._assets(u)}))
            frames.extend(self._list_statuses({u.report.order_list_id for u in batch} - {-1}))
            for event in frames:
                if session.subscription is None or session.ws.closed:
                    break
                with suppress(ConnectionResetError, RuntimeError):
                    frame = {"subscriptionId": session.subscription, "event": event}
                    await session.ws.send_str(json.dumps(frame))

    def _assets(self, update: OrderUpdate) -> set[str]:
        rules = self.desk.engine.rules[update.report.symbol]
        extra = {update.fill.commission_asset} if update.fill is not None else set()
        return {rules.base_asset, rules.quote_asset} | extra

    def _execution_report(self, update: OrderUpdate) -> dict[str, Any]:
        r, fill, now = update.report, update.fill, self.desk.now_ms()
        event = {
            "e": "executionReport", "E": now, "s": r.symbol, "c": r.client_order_id, "S": r.side.value,
            "o": r.type.value, "f": "GTC", "q": s8(r.quantity), "p": s8(r.price), "P": s8(r.stop_price),
            "F": s8(ZERO), "g": r.order_list_id,
            "C": r.client_order_id if update.execution == "CANCELED" else "",
            "x": update.execution, "X": r.status.value, "r": "NONE", "i": r.order_id,
            "l": s8(fill.quantity if fill else ZERO), "z": s8(r.executed_quantity),
            "L": s8(fill.price if fill else ZERO), "n": s8(fill.commission) if fill else "0",
            "N": fill.commission_asset if fill else None, "T": r.update_time_ms or now,
            "t": fill.trade_id if fill else -1, "I": next(self._execution_ids),
            "w": not r.status.is_final and r.type not in _STOP_TYPES, "m": bool(fill and fill.is_maker),
            "M": False, "O": r.time_ms, "Z": s8(r.cumulative_quote),
            "Y": s8(fill.price * fill.quantity if fill else ZERO),
            "Q": s8(ZERO), "W": r.time_ms, "V": "NONE"}
        if update.execution == "EXPIRED":
            event["eR"] = update.expiry_reason
        return event

    def _account_position(self, assets: set[str]) -> dict[str, Any]:
        balances = self.desk.engine.accounts.snapshot()
        rows = [{"a": a, "f": s8(balances[a].free), "l": s8(balances[a].locked)}
                for a in sorted(assets) if a in balances]
        now = self.desk.now_ms()
        return {"e": "outboundAccountPosition", "E": now, "u": now, "B": rows}

    def _list_statuses(self, list_ids: set[int]) -> list[dict[str, Any]]:
        events = []
        for list_id in sorted(list_ids):
            report = self.desk.engine.get_order_list(order_list_id=list_id)
            done = report.status is ListStatus.ALL_DONE
            state = ("ALL_DONE" if done else "EXEC_STARTED", report.status.value)
            if self._list_states.get(list_id) == state:
                continue
            self._list_states[list_id] = state
            events.append({"e": "listStatus", "E": self.desk.now_ms(), "s": report.symbol, "g": list_id,
                           "c": "OCO", "l": state[0], "L": state[1], "r": "NONE", "C": report.list_client_id,
                           "T": self.desk.now_ms(),
                           "O": [{"s": o.symbol, "i": o.order_id, "c": o.client_order_id}
                                 for o in report.orders]})
        return events


def add_ws_api(app: web.Application, desk: TradingDesk) -> WsApi:
    api = WsApi(desk)
    app.router.add_get("/ws-api/v3", api.handle)
    return api
