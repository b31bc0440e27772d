"""Time as integer milliseconds since the Unix epoch (UTC): the units and the one day parser.

Every module counts time in these units (no datetime on the hot path); a day given by a person
("2024-05-01") becomes the millisecond of its UTC midnight here and nowhere else.
"""

from __future__ import annotations

from datetime import UTC, datetime

SECOND_MS = 1_000
MINUTE_MS = 60_000
HOUR_MS = 3_600_000
DAY_MS = 86_400_000


def day_start_ms(text: str) -> int:
    """UTC midnight of `text` (YYYY-MM-DD) in ms. ValueError names the text when it is not such a day."""
    try:
        day = datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)
    except (TypeError, ValueError):
        raise ValueError(f"{text!r}: expected a date YYYY-MM-DD") from None
    return int(day.timestamp() * 1000)


def day_text(ms: int) -> str:
    """The UTC day of a millisecond timestamp, as YYYY-MM-DD."""
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d")
