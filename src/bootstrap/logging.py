"""loguru, configured once: console plus a rotating file, in the spec 4.8 format.

    2024-01-15 14:32:15.123 | INFO     | Position opened: BTCUSDT ... | symbol=BTCUSDT mode=paper

Times are UTC (the risk day resets at 00:00 UTC, so the log speaks the same time). Context bound with
`logger.bind(symbol=..., mode=...)` is rendered after the message. Secrets are never bound; tracebacks
are logged without variable values (`diagnose=False`) so a key held in a local can never reach a file.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from loguru import logger
from tqdm import tqdm

from adapters.storage.private_files import UnwritablePath, ensure_private_file, private_opener
from bootstrap.settings_model import LoggingSettings

if TYPE_CHECKING:
    from loguru import Record

TIME_LEVEL_MESSAGE = "{time:YYYY-MM-DD HH:mm:ss.SSS!UTC} | {level: <8} | {message}"


def _escape(text: str) -> str:
    """Bound values are data, not format fields: a '{' in a symbol or an error text must not break."""
    return text.replace("{", "{{").replace("}", "}}")


def render_format(record: Record) -> str:
    """The per-record format: the fixed columns, then the bound context, then any traceback."""
    context = " ".join(f"{key}={value}" for key, value in record["extra"].items())
    suffix = f" | {_escape(context)}" if context else ""
    return TIME_LEVEL_MESSAGE + suffix + "\n{exception}"


def _console(message: str) -> None:
    """stderr through tqdm, so a line logged while a progress bar runs does not break the bar."""
    tqdm.write(message, end="", file=sys.stderr)


def configure_logging(settings: LoggingSettings, *, console_level: str | None = None) -> None:
    """Replace every handler: console (stderr) and, when enabled, a rotating UTF-8 file. `console_level`
    quiets the console alone (a backtest decides every replayed minute: its decisions go to the file)."""
    logger.remove()
    logger.add(_console, level=console_level or settings.level, format=render_format, colorize=False,
               backtrace=False, diagnose=False)
    if settings.file_enabled:  # 0600 in a 0700 folder; unwritable -> UnwritablePath (one line, exit 2)
        ensure_private_file(settings.file_path, "log file (logging.file_path)")
        try:
            logger.add(settings.file_path, level=settings.level, format=render_format,
                       rotation=settings.rotation, retention=settings.retention, encoding="utf-8",
                       enqueue=False, backtrace=False, diagnose=False, opener=private_opener)
        except OSError as error:
            raise UnwritablePath(f"cannot write the log file (logging.file_path) {settings.file_path}: "
                                 f"{error.strerror or error}") from None
