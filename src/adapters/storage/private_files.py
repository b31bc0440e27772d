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


def ensure_private_file(path: Path, what: str, *, keep: bool = True) -> None:
    """Prove `path` can be created and written: its folders are made (FOLDER_MODE), an existing file with
    wider rights is narrowed to FILE_MODE. A file this call had to create is kept empty (FILE_MODE) with
    `keep`, else removed again (the first write creates it, through `private_opener`)."""
    try:
        make_private_folder(path.parent)
        existed = path.exists()
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE))
        if existed and stat.S_IMODE(path.stat().st_mode) & 0o077:
            os.chmod(path, FILE_MODE)
        if not existed and not keep:
            path.unlink()
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise UnwritablePath(f"cannot write the {what} {path}: {reason}") from None
