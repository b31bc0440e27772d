r"""Deterministic client order ids: the same intent always yields the same id, so a retried order is
recognised by Binance (and by our own status query) instead of being placed twice.

Binance accepts `^[\.A-Z\:/a-z0-9_-]{1,36}$` for newClientOrderId / listClientOrderId and leg ids (the
range its -1100 message quotes). Ids built here use only letters, digits, '-' and '_'.
"""

from __future__ import annotations

import hashlib
import re

MAX_LENGTH = 36
_VALID = re.compile(r"^[.A-Z:/a-z0-9_-]{1,36}$")
_UNSAFE = re.compile(r"[^a-zA-Z0-9_-]")


class ClientOrderIdError(ValueError):
    """A client order id Binance would refuse."""


def validate_client_id(client_id: str) -> str:
    if not _VALID.match(client_id):
        raise ClientOrderIdError(
            f"client order id {client_id!r} must be 1-{MAX_LENGTH} letters, digits or . : / _ -")
    return client_id


def client_order_id(*parts: str | int) -> str:
    """An id built from the parts of an intent (prefix, run, symbol, sequence, role...).

    Readable when it fits in 36 characters; otherwise a readable head plus a hash of the whole, so two
    different intents never share an id and one intent always gets the same one."""
    text = "-".join(_UNSAFE.sub("_", str(part)) for part in parts if str(part) != "")
    if not text:
        raise ClientOrderIdError("a client order id needs at least one non-empty part")
    if len(text) <= MAX_LENGTH:
        return text
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    return f"{text[:MAX_LENGTH - len(digest) - 1]}-{digest}"


def oco_leg_ids(list_client_id: str) -> tuple[str, str]:
    """The take-profit (above) and stop-loss (below) leg ids of an OCO, derived from its list id."""
    validate_client_id(list_client_id)
    return client_order_id(list_client_id, "tp"), client_order_id(list_client_id, "sl")
