"""Every Binance error code of binance-spot-api.md section 2 the adapter can meet -> the right port error."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from adapters.binance.errors import CODE_TABLE, is_duplicate_order, redact, to_port_error
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

# Codes of section 2 the exchange adapter never meets, and why.
NOT_MET = {
    -1120: "kline interval: the exchange adapter never asks for klines",
    -1125: "listenKey: retired in 2026, user data comes over the WebSocket API",
    -2021: "cancelReplace: not used",
    -2022: "cancelReplace: not used",
}


def section_two_codes(shared_root: Path) -> set[int]:
    text = (shared_root / "binance-spot-api.md").read_text(encoding="utf-8")
    section = text.split("## 2. Errors", 1)[1].split("## 3.", 1)[0]
    codes: set[int] = set()
    for row in section.splitlines():
        if not row.startswith("| -"):
            continue
        cell = row.split("|")[1]
        for low, high in re.findall(r"-(\d+)\.\.-(\d+)", cell):
            codes.update(-n for n in range(int(low), int(high) + 1))
        codes.update(int(c) for c in re.findall(r"-\d+", re.sub(r"-\d+\.\.-\d+", "", cell)))
    return codes


def test_every_code_of_section_two_is_mapped_or_explained(shared_root: Path) -> None:
    codes = section_two_codes(shared_root)
    assert len(codes) > 40  # the table was read
    unmapped = codes - set(CODE_TABLE) - set(NOT_MET)
    assert not unmapped, f"codes of binance-spot-api.md section 2 without a mapping: {sorted(unmapped)}"


# Expected by the meaning Binance gives each code (section 2), typical HTTP status and message.
EXPECTED = [
    (-1007, 408, "Timeout waiting for response from backend server.", ExchangeUnavailable, True),
    (-1013, 400, "Filter failure: LOT_SIZE", OrderRejected, False),
    (-1021, 400, "Timestamp for this request is outside of the recvWindow.", ClockSkew, True),
    (-1022, 400, "Signature for this request is not valid.", AuthenticationFailed, False),
    (
        -1100,
        400,
        "Illegal characters found in parameter 'quantity'; legal range is '^([0-9]{1,20})'.",
        OrderRejected,
        False,
    ),
    (-1101, 400, "Duplicate values for parameter 'symbol'.", OrderRejected, False),
    (
        -1102,
        400,
        "Mandatory parameter 'quantity' was not sent, was empty/null, or malformed.",
        OrderRejected,
        False,
    ),
    (
        -1104,
        400,
        "Not all sent parameters were read; read '8' parameter(s) but was sent '9'.",
        OrderRejected,
        False,
    ),
    (-1106, 400, "Parameter 'stopPrice' sent when not required.", OrderRejected, False),
    (-1111, 400, "Parameter 'quantity' has too much precision.", OrderRejected, False),
    (-1121, 400, "Invalid symbol.", OrderRejected, False),
    (-1166, 400, "Sell OCO limit price must be above last price.", OrderRejected, False),
    (-1199, 400, "Sell OCO take profit must be above last price.", OrderRejected, False),
    (-2010, 400, "Order would trigger immediately.", OrderRejected, False),
    (-2010, 400, "Account has insufficient balance for requested action.", InsufficientBalance, False),
    (-2011, 400, "Unknown order sent.", OrderNotFound, False),
    (-2011, 400, "Order was not canceled due to cancel restrictions.", OrderRejected, False),
    (-2013, 400, "Order does not exist.", OrderNotFound, False),
    (-2014, 401, "API-key format invalid.", AuthenticationFailed, False),
    (-2015, 401, "Invalid API-key, IP, or permissions for action.", AuthenticationFailed, False),
    (
        -2026,
        400,
        "Order was canceled or expired with no executed qty over 90 days ago and has been archived.",
        OrderNotFound,
        False,
    ),
]


@pytest.mark.parametrize(("code", "status", "message", "kind", "retryable"), EXPECTED)
def test_code_maps_to_port_error(
    code: int, status: int, message: str, kind: type[ExchangeError], retryable: bool
) -> None:
    error = to_port_error(status, code, message)
    assert type(error) is kind
    assert error.code == code
    assert error.retryable is retryable
    assert message in str(error)


def test_every_table_code_gives_an_exchange_error_with_its_code() -> None:
    for code in CODE_TABLE:
        error = to_port_error(400, code, "some message")
        assert isinstance(error, ExchangeError)
        assert error.code == code


def test_filter_failure_names_the_filter() -> None:
    error = to_port_error(400, -1013, "Filter failure: NOTIONAL")
    assert isinstance(error, OrderRejected)
    assert error.filter_type == "NOTIONAL"
    assert (
        to_port_error(400, -1013, "Filter failure: PERCENT_PRICE_BY_SIDE").filter_type
        == "PERCENT_PRICE_BY_SIDE"
    )


def test_too_many_requests_waits_for_retry_after() -> None:
    error = to_port_error(
        429,
        -1003,
        "Too much request weight used; current limit is 6000 request weight per 1 MINUTE.",
        retry_after=17,
    )
    assert isinstance(error, RateLimited)
    assert error.retry_after == 17
    assert not error.banned
    assert error.retryable


def test_too_many_orders_is_rate_limited() -> None:
    error = to_port_error(
        429, -1015, "Too many new orders; current limit is 100 orders per 10 SECOND.", retry_after=3
    )
    assert isinstance(error, RateLimited)
    assert error.retry_after == 3


def test_ban_is_rate_limited_banned_and_not_retryable() -> None:
    error = to_port_error(
        418, -1003, "Way too much request weight used; IP banned until 1700000000000.", retry_after=120
    )
    assert isinstance(error, RateLimited)
    assert error.banned
    assert not error.retryable
    assert error.retry_after == 120


def test_server_errors_are_unavailable_and_retryable() -> None:
    for status in (500, 502, 503, 504):
        error = to_port_error(status, None, "<html>Bad gateway</html>")
        assert isinstance(error, ExchangeUnavailable)
        assert error.retryable


def test_unknown_client_code_is_a_plain_non_retryable_error() -> None:
    error = to_port_error(400, -9999, "Something new.")
    assert type(error) is ExchangeError
    assert not error.retryable


def test_duplicate_order_is_recognised() -> None:
    assert is_duplicate_order(to_port_error(400, -2010, "Duplicate order sent."))
    assert not is_duplicate_order(to_port_error(400, -2010, "Market is closed."))


def test_redact_hides_secrets() -> None:
    assert redact("key=abc123 secret=zz9", ["abc123", "zz9", ""]) == "key=*** secret=***"
