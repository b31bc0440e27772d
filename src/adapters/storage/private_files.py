"""Files the bot writes about an account (logs, trade journals, state) are the user's alone: folders it
creates are 0700, files 0600, whatever the umask. A folder that already exists is left as it is (it may be
the user's home or the checkout); a file of ours found with wider rights is narrowed to 0600.

A path that cannot be written raises UnwritablePath at start-up, one line naming the file and the reason,
rather than a traceback at the first trade.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

from ports.errors import ConfigurationError

FOLDER_MODE = 0o700
FILE_MODE = 0o600


class UnwritablePath(ConfigurationError):
    """A log, journal or state path the process cannot create or write."""


def private_opener(path: str, flags: int) -> int:
    """`open(..., opener=private_opener)`: a file created by the call gets FILE_MODE, not 0666 - umask."""
    return os.open(path, flags, FILE_MODE)


def make_private_folder(folder: Path) -> None:
    """Create `folder` and any missing parent with FOLDER_MODE."""
    missing: list[Path] = []
    at = folder
    while not at.exists():
        missing.append(at)
        if at.parent == at:
            break
        at = at.parent
    for path in reversed(missing):
        with contextlib.suppress(FileExistsError):
            path.mkdir(mode=FOLDER_MODE)
        os.chmod(path, FOLDER_MODE)  # mkdir's mode is filtered by the umask


def ensure_private_file(path: Path, what: str) -> None:
    """Create `path` (empty, FILE_MODE, in FOLDER_MODE folders) if missing; narrow its mode if wider."""
    try:
        make_private_folder(path.parent)
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE))
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            os.chmod(path, FILE_MODE)
    except OSError as error:
        raise UnwritablePath(f"cannot write the {what} {path}: {error.strerror or error}") from None


def check_writable(path: Path, what: str) -> None:
    """Refuse now a path the first write could not create, touching nothing (a file of ours found with
    wider rights is narrowed to FILE_MODE)."""
    at = path
    while not at.exists() and at.parent != at:
        at = at.parent
    if at == path:
        if not path.is_file() or not os.access(path, os.W_OK):
            raise UnwritablePath(f"cannot write the {what} {path}: "
                                 f"{'not a regular file' if not path.is_file() else 'Permission denied'}")
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            os.chmod(path, FILE_MODE)
        return
    if not at.is_dir():
        raise UnwritablePath(f"cannot write the {what} {path}: {at} is not a folder")
    if not os.access(at, os.W_OK | os.X_OK):
        raise UnwritablePath(f"cannot write the {what} {path}: Permission denied ({at})")
