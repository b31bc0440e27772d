"""Binance error codes -> ports.errors (binance-spot-api.md section 2).

`CODE_TABLE` lists every code the exchange adapter can meet; `to_port_error` turns an HTTP status,
a code and Binance's message into the port error the trading loop understands. Keys are never part of a
Binance message, but `redact` is applied to every text that leaves the adapter anyway.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ports.errors import (
    AuthenticationFailed,
    ClockSkew,
    ExchangeError,
    ExchangeUnavailable,
    InsufficientBalance,
    OrderNotFound,
    OrderRejected,
    RateLimited,
)

# code -> (Binance name, port error class). Rate-limit codes are refined by HTTP status (429 vs 418).
CODE_TABLE: dict[int, tuple[str, type[ExchangeError]]] = {
    -1003: ("TOO_MANY_REQUESTS", RateLimited),
    -1007: ("TIMEOUT", ExchangeUnavailable),  # execution status unknown: query before retrying
    -1013: ("INVALID_MESSAGE", OrderRejected),  # filter failures
    -1015: ("TOO_MANY_ORDERS", RateLimited),
    -1021: ("INVALID_TIMESTAMP", ClockSkew),
    -1022: ("INVALID_SIGNATURE", AuthenticationFailed),
    -1100: ("ILLEGAL_CHARS", OrderRejected),
    -1101: ("TOO_MANY_PARAMETERS", OrderRejected),
    -1102: ("MANDATORY_PARAM_EMPTY_OR_MALFORMED", OrderRejected),
    -1103: ("UNKNOWN_PARAM", OrderRejected),
    -1104: ("UNREAD_PARAMETERS", OrderRejected),
    -1105: ("PARAM_EMPTY", OrderRejected),
    -1106: ("PARAM_NOT_REQUIRED", OrderRejected),
    -1111: ("BAD_PRECISION", OrderRejected),
    -1112: ("NO_DEPTH", OrderRejected),
    -1114: ("TIF_NOT_REQUIRED", OrderRejected),
    -1115: ("INVALID_TIF", OrderRejected),
    -1116: ("INVALID_ORDER_TYPE", OrderRejected),
    -1117: ("INVALID_SIDE", OrderRejected),
    -1121: ("BAD_SYMBOL", OrderRejected),
    -1127: ("MORE_THAN_XX_HOURS", ExchangeError),  # myTrades window too wide: a caller bug
    -1128: ("OPTIONAL_PARAMS_BAD_COMBO", OrderRejected),
    -1130: ("INVALID_PARAMETER", OrderRejected),
    -1145: ("INVALID_CANCEL_RESTRICTIONS", OrderRejected),
    -1158: ("OCO_ORDER_TYPE_REJECTED", OrderRejected),
    -1160: ("OCO_ICEBERGQTY_TIMEINFORCE", OrderRejected),
    -1165: ("BUY_OCO_LIMIT_MUST_BE_BELOW", OrderRejected),
    -1166: ("SELL_OCO_LIMIT_MUST_BE_ABOVE", OrderRejected),
    -1168: ("BOTH_OCO_ORDERS_CANNOT_BE_LIMIT", OrderRejected),
    -1196: ("BUY_OCO_STOP_LOSS_MUST_BE_ABOVE", OrderRejected),
    -1197: ("SELL_OCO_STOP_LOSS_MUST_BE_BELOW", OrderRejected),
    -1198: ("BUY_OCO_TAKE_PROFIT_MUST_BE_BELOW", OrderRejected),
    -1199: ("SELL_OCO_TAKE_PROFIT_MUST_BE_ABOVE", OrderRejected),
    -2010: ("NEW_ORDER_REJECTED", OrderRejected),  # refined by message (balance, duplicate)
    -2011: ("CANCEL_REJECTED", OrderRejected),  # refined by message (unknown order)
    -2013: ("NO_SUCH_ORDER", OrderNotFound),
    -2014: ("BAD_API_KEY_FMT", AuthenticationFailed),
    -2015: ("REJECTED_MBX_KEY", AuthenticationFailed),
    -2026: ("ORDER_ARCHIVED", OrderNotFound),
    -2035: ("USER_DATA_STREAM_SUBSCRIPTION_ALREADY_ACTIVE", ExchangeError),
    -2036: ("USER_DATA_STREAM_SUBSCRIPTION_NOT_ACTIVE", ExchangeError),
    -2039: ("CLIENT_ORDER_ID_INVALID", OrderNotFound),  # orderId and origClientOrderId name different orders
}

DUPLICATE_ORDER = "Duplicate order sent."
_FILTER = re.compile(r"Filter failure: ([A-Z_]+)")
DEFAULT_RETRY_AFTER_S = 60.0


def is_duplicate_order(error: ExchangeError) -> bool:
    return error.code == -2010 and DUPLICATE_ORDER.lower() in str(error).lower()


def to_port_error(status: int | None, code: int | None, message: str, *,
                  retry_after: float | None = None) -> ExchangeError:
    """The port error for one failed Binance response (HTTP status, Binance code, Binance message)."""
    text = f"Binance {code if code is not None else 'HTTP ' + str(status)}: {message}"
    if status == 418 or (code == -1003 and "banned" in message.lower()):
        return RateLimited(text, retry_after=retry_after or DEFAULT_RETRY_AFTER_S, banned=True, code=code)
    if status == 429 or code in (-1003, -1015):
        return RateLimited(text, retry_after=retry_after or 1.0, code=code)
    if code == -2010 and "insufficient balance" in message.lower():
        return InsufficientBalance(text, code=code)
    if code == -2011 and "unknown order" in message.lower():
        return OrderNotFound(text, code=code)
    if code == -1013:
        found = _FILTER.search(message)
        return OrderRejected(text, code=code, filter_type=found.group(1) if found else None)
    if code in CODE_TABLE:
        return CODE_TABLE[code][1](text, code=code)
    if status is not None and status >= 500:
        return ExchangeUnavailable(text, code=code)
    if status in (401, 403):
        return AuthenticationFailed(text, code=code)
    return ExchangeError(text, code=code)


def redact(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text
