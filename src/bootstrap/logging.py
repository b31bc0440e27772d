"""loguru, configured once: console plus a rotating file, in the spec 4.8 format."""

from __future__ import annotations

import sys

from loguru import logger

from bootstrap.settings_model import LoggingSettings

LOG_FORMAT = "{time:YYYY-MM-DD HH:mm:ss.SSS} | {level: <8} | {message}{extra_text}"


def _with_context(record: dict) -> bool:  # type: ignore[type-arg]
    """Render bound context (symbol=..., mode=...) after the message; secrets are never bound."""
    extra = record["extra"]
    record["extra"]["extra_text"] = (
        " | " + " ".join(f"{k}={v}" for k, v in extra.items() if k != "extra_text") if len(extra) > 1 or (
            extra and "extra_text" not in extra) else "")
    return True


def configure_logging(settings: LoggingSettings) -> None:
    logger.remove()
    logger.configure(extra={"extra_text": ""})
    logger.add(sys.stderr, level=settings.level, format=LOG_FORMAT, filter=_with_context, colorize=False)
    if settings.file_enabled:
        settings.file_path.parent.mkdir(parents=True, exist_ok=True)
        logger.add(settings.file_path, level=settings.level, format=LOG_FORMAT, filter=_with_context,
                   rotation=settings.rotation, retention=settings.retention, encoding="utf-8", enqueue=False)
