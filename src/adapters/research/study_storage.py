"""The study's storage URL, checked before a study is opened on it: `--storage` takes any SQLAlchemy URL
(SQLite by default; PostgreSQL for several machines: `postgresql://user@host:5432/db`, with the `cluster`
extra's psycopg driver). A URL that cannot be parsed, names a database without its driver installed, or
does not answer becomes one line saying which, its password never shown (libpq also reads PGPASSWORD
and ~/.pgpass, so the URL need not hold one).
"""

from __future__ import annotations

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

CONNECT_TIMEOUT_S = 10
EXAMPLES = "e.g. sqlite:////path/study.sqlite3 or postgresql://user@host:5432/db"


class StudyStorageError(Exception):
    """One line: what is wrong with the storage URL (its password hidden)."""


def shown(url: str) -> str:
    """The URL as it may be printed or written into a report: its password masked."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(not a URL)"


def check_storage(url: str) -> None:
    """Raises StudyStorageError unless `url` parses, has its driver and answers a query."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StudyStorageError(f"--storage is not a SQLAlchemy URL ({EXAMPLES})") from None
    try:
        engine = create_engine(parsed, connect_args=_connect_args(parsed))
    except NoSuchModuleError:
        raise StudyStorageError(f"--storage {shown(url)}: unknown database kind {parsed.drivername!r} "
                                f"({EXAMPLES})") from None
    except ImportError as exc:
        hint = (" (pip install -e \".[cluster]\": postgresql:// then uses psycopg 3)"
                if parsed.get_backend_name() == "postgresql" else "")
        raise StudyStorageError(f"--storage {shown(url)}: its driver {exc.name or parsed.drivername!r} is "
                                f"not installed{hint}") from None
    try:
        with engine.connect() as connection:
            connection.execute(text("select 1"))
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        raise StudyStorageError(f"--storage {shown(url)}: cannot open it: "
                                f"{reason[0] if reason else type(exc).__name__}") from None
    finally:
        engine.dispose()


def _connect_args(url: URL) -> dict[str, int]:
    # An unreachable PostgreSQL host would otherwise wait for the system's TCP timeout (minutes).
    return {"connect_timeout": CONNECT_TIMEOUT_S} if url.get_backend_name() == "postgresql" else {}
