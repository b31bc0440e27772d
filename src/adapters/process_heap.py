"""The process's C heap (glibc): give freed memory back to the OS instead of keeping it for reuse.

glibc serves a block above its mmap threshold from its own mapping, returned on free; but it raises that
threshold to the size of each such block freed (up to 32 MB), so after one big array is dropped the next
ones of a long numeric run come from the heap, which rarely shrinks: hundreds of MB of freed arrays stay
resident. A fixed threshold keeps every large block a mapping. Elsewhere than glibc, nothing happens.
"""

from __future__ import annotations

import contextlib
import ctypes

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3


def _libc() -> ctypes.CDLL | None:
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return None
    return libc if hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim") else None


def map_large_blocks(threshold_bytes: int = 128 << 10) -> None:
    """Every block of `threshold_bytes` or more (glibc's own starting threshold) gets its own mapping,
    freed back at once, and the heap's free top beyond it is released."""
    libc = _libc()
    if libc is not None:
        libc.mallopt(M_MMAP_THRESHOLD, threshold_bytes)
        libc.mallopt(M_TRIM_THRESHOLD, threshold_bytes)


def release_freed_memory() -> None:
    """Give the heap's freed pages back to the OS now (e.g. after parsers freed their buffers)."""
    libc = _libc()
    if libc is not None:
        with contextlib.suppress(OSError):
            libc.malloc_trim(0)
