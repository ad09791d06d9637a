"""Keep freed heap memory for reuse instead of handing it back to the OS.

Why: a batch of renderings keeps ~30 MB of image memory alive at once (each 320x240 RGB
image is 300 KB), all freed together when the batch's records are written. glibc's
default policy gives such memory back to the kernel (images above its mmap threshold are
unmapped; a large free heap top is trimmed), so the next batch page-faults every page in
again: ~75 faults per image, ~0.2 ms per image on a VM -- more than the whole batching
gain. `keep_freed_memory()` raises glibc's mmap and trim thresholds once per process, so
freed memory is reused. It never raises peak memory (only memory that was in use at once
is kept) and is a no-op where `mallopt` is unavailable (non-glibc libcs, other systems).
"""

from __future__ import annotations

import ctypes
import sys

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 8 << 20
"""Allocations below this come from the heap (glibc's default adapts from 128 KiB)."""
TRIM_THRESHOLD = 256 << 20
"""Free memory at the top of the heap kept for reuse."""

_state: list[bool] = []


def keep_freed_memory() -> bool:
    """Set glibc's mmap/trim thresholds (once per process); True if they are set."""
    if not _state:
        _state.append(_set_thresholds())
    return _state[0]


def _set_thresholds() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
        mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    )
