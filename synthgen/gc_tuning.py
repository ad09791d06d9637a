"""Garbage-collector settings for producing shards.

CPython starts a generation-0 collection every 700 net allocations of container objects.
A batch of records is thousands of small dicts, lists and pydantic models that all stay alive
until the batch is written, so the default collects ~300 times per 1000 svg records and scans
the same live objects each time: 9 % of an svg record's CPU (0.15 of 1.6 ms, measured with
``gc.callbacks``). Records form no reference cycles worth collecting early, so while a shard
runs the threshold is raised to :data:`SHARD_GC_THRESHOLD`, which leaves the collector a few
runs per shard; memory stays bounded (a collection still runs after that many allocations).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

SHARD_GC_THRESHOLD = (20_000, 20, 20)


@contextmanager
def shard_gc() -> Iterator[None]:
    """Raise the collection thresholds for the duration of a shard, then restore them (a
    shard may run in the caller's own interpreter: one worker, a notebook)."""
    previous = gc.get_threshold()
    gc.set_threshold(*SHARD_GC_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*previous)


def release_memory() -> None:
    """Collect garbage and hand freed heap memory back to the OS where the C library can
    (glibc's ``malloc_trim``; elsewhere only the collection). After a big temporary build
    (the QA calibration graphs: 2.7 GB, of which 0.6 GB stays without the trim), so that the
    process, and the workers it forks next, do not carry freed pages."""
    gc.collect()
    try:
        import ctypes
        import ctypes.util

        name = ctypes.util.find_library("c")
        if name:
            ctypes.CDLL(name).malloc_trim(0)
    except (OSError, AttributeError):
        pass  # not glibc (musl, macOS): the collection is all there is
