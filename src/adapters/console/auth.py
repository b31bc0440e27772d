"""The console's token check: every call but the login page (and its stylesheet) needs it.

Accepted: `Authorization: Bearer <token>`, or the `cs_token` cookie set by the login form or by opening
any page once with `?token=<token>` (then redirected without it, so it leaves the address bar).
A missing token is 401, a wrong one 403. Controls (POST) authorised by the cookie alone must also carry
the `X-Console: 1` header (a page elsewhere cannot add it: no cross-site request forgery).
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from typing import cast

from aiohttp import web
from aiohttp.typedefs import Middleware
from pydantic import SecretStr

COOKIE = "cs_token"
OPEN_PATHS = frozenset({"/login", "/static/style.css"})  # the login page and its look: no data
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def same_token(given: str, token: SecretStr) -> bool:
    return hmac.compare_digest(given.encode(), token.get_secret_value().encode())


def login_cookie(response: web.StreamResponse, token: SecretStr) -> None:
    response.set_cookie(COOKIE, token.get_secret_value(), httponly=True, samesite="Strict", path="/")


def token_middleware(token: SecretStr) -> Middleware:
    @web.middleware
    async def check(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path in OPEN_PATHS:
            return await handler(request)
        header = request.headers.get("Authorization", "")
        bearer = header[7:] if header.startswith("Bearer ") else None
        query = request.query.get("token")
        given = bearer or request.cookies.get(COOKIE) or query
        if not given:
            if request.method == "GET" and not request.path.startswith(("/api", "/metrics", "/health")):
                raise web.HTTPFound("/login")
            return web.json_response({"error": "a token is needed (Authorization: Bearer ...)"}, status=401)
        if not same_token(given, token):
            return web.json_response({"error": "wrong token"}, status=403)
        if bearer is None and request.method == "POST" and request.headers.get("X-Console") != "1":
            return web.json_response({"error": "controls need the X-Console: 1 header"}, status=403)
        if query and not bearer and request.method == "GET":  # remember it, and take it off the URL
            rest = {key: value for key, value in request.query.items() if key != "token"}
            response = web.HTTPFound(request.rel_url.with_query(rest))
            login_cookie(response, token)
            raise response
        return await handler(request)

    return cast(Middleware, check)
