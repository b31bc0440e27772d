"""Keep numba's disk cache of the research kernel in step with its source files.

numba keys a cached function on its own file's timestamp only: `replay` (research_numba.py) compiled
against an older research_positions.py would be loaded as it was. Before the kernel is imported, the
digest of its sources is compared with the one the cache was built from; on a change the kernel's
cache files are removed, so it is compiled again once (~10 s) and cached anew.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCES = ("research_state.py", "research_dust.py", "research_positions.py", "research_buy.py",
           "research_scan.py", "research_numba.py")
_checked: list[bool] = []  # once per process: the kernel module is imported once


def _cache_dirs() -> list[Path]:
    dirs = [HERE / "__pycache__"]
    configured = os.environ.get("NUMBA_CACHE_DIR")
    if configured:
        dirs.extend(Path(configured).rglob("kernels"))
    return dirs


def fresh_kernel_cache() -> None:
    """Drop the research kernel's cached machine code when its sources changed since it was built."""
    if _checked:
        return
    _checked.append(True)
    digest = hashlib.sha256(b"".join((HERE / name).read_bytes() for name in SOURCES)).hexdigest()
    for folder in _cache_dirs():
        stamp = folder / "research_kernel.digest"
        try:
            if stamp.exists() and stamp.read_text() == digest:
                continue
            for stale in folder.glob("research_*.nb[ic]"):
                stale.unlink(missing_ok=True)
            folder.mkdir(parents=True, exist_ok=True)
            stamp.write_text(digest)
        except OSError:  # a read-only tree: numba then caches elsewhere or compiles in memory
            continue
