"""One error hierarchy for every adapter. The trading loop alone decides to retry, back off or halt."""

from __future__ import annotations


class ExchangeError(Exception):
    """Base of every error an Exchange or MarketFeed adapter raises."""

    retryable: bool = False

    def __init__(self, message: str, *, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code


class OrderRejected(ExchangeError):
    """The exchange refused the order (filters, market closed, bad parameters). Not retryable as is."""

    def __init__(self, message: str, *, code: int | None = None, filter_type: str | None = None) -> None:
        super().__init__(message, code=code)
        self.filter_type = filter_type


class InsufficientBalance(OrderRejected):
    """Not enough free balance for the order."""


class OrderNotFound(ExchangeError):
    """Unknown order id (query or cancel of an order the exchange does not have, or has closed)."""


class RateLimited(ExchangeError):
    """Too many requests. `retry_after` seconds to wait; `banned` when the IP was banned (HTTP 418)."""

    retryable = True

    def __init__(self, message: str, *, retry_after: float, banned: bool = False,
                 code: int | None = None) -> None:
        super().__init__(message, code=code)
        self.retry_after = retry_after
        self.banned = banned
        if banned:
            self.retryable = False


class ExchangeUnavailable(ExchangeError):
    """Network failure, timeout, 5xx, or an unknown execution status: try again later."""

    retryable = True


class AuthenticationFailed(ExchangeError):
    """Bad or missing API key, signature, IP or permission. Not retryable."""


class ClockSkew(ExchangeError):
    """Timestamp outside recvWindow (-1021): resync the clock and retry."""

    retryable = True


class ConfigurationError(Exception):
    """A setting or model file that prevents start-up. Raised before trading starts, never mid-trade."""
