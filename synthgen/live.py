"""Live record counts from running shards, for the parent's progress display and ETA.

A shard reports how many records it has accepted so far into a slot of a small shared-memory
array (slot = shard number modulo :data:`SLOTS`, each slot written by the one shard that owns
it, so no lock is needed and a worker killed mid-write cannot block anyone). The parent reads
the slots of shards it has not received yet. The array is created before the worker pool
forks, so pool workers inherit it; where it is not shared (spawned processes, Ray), progress
simply moves per finished shard. Counts only drive the display: they never reach the output.
"""

from __future__ import annotations

import ctypes
import multiprocessing
from collections.abc import Container

SLOTS = 512
"""More than the shards any executor keeps in flight at once."""

_FIELDS = 5
"""Per slot: shard number + 1 (0: empty), accepted so far, model requests in flight, model
requests finished, model tokens (prompt + completion) so far."""


class LiveCounts:
    """Shared per-shard counters of accepted records (see the module docstring)."""

    def __init__(self) -> None:
        self._array = multiprocessing.RawArray(ctypes.c_int64, SLOTS * _FIELDS)

    def begin(self, shard: int, slot: int | None = None) -> None:
        """Claim ``shard``'s slot (a shard that ran there before is forgotten); this
        process's model activity is counted there from now on. ``slot``: another slot than
        the shard number's (the parts of a split shard run at once, each in its own)."""
        global _slot
        base = ((shard if slot is None else slot) % SLOTS) * _FIELDS
        for k in range(1, _FIELDS):
            self._array[base + k] = 0
        self._array[base] = shard + 1
        _slot = base

    def accepted(self, shard: int, count: int, slot: int | None = None) -> None:
        self._array[((shard if slot is None else slot) % SLOTS) * _FIELDS + 1] = count

    def add_model(self, in_flight: int, done: int, tokens: int) -> None:
        """Model activity of the shard this process runs (see :func:`model_requests`)."""
        if _slot is None:
            return
        array = self._array
        array[_slot + 2] += in_flight
        array[_slot + 3] += done
        array[_slot + 4] += tokens

    def model_activity(self, finished: Container[int]) -> tuple[int, int, int]:
        """(requests in flight, requests done, tokens) of the shards not in ``finished``."""
        values = self._array[:]
        totals = [0, 0, 0]
        for base in range(0, len(values), _FIELDS):
            shard = values[base] - 1
            if shard >= 0 and shard not in finished:
                for k in range(3):
                    totals[k] += values[base + 2 + k]
        return totals[0], totals[1], totals[2]

    def in_flight(self, finished: Container[int]) -> int:
        """Records accepted so far by shards that are not in ``finished``."""
        values = self._array[:]
        total = 0
        for base in range(0, len(values), _FIELDS):
            shard = values[base] - 1
            if shard >= 0 and shard not in finished:
                total += values[base + 1]
        return total


_current: LiveCounts | None = None
_slot: int | None = None


def model_requests(in_flight: int, done: int = 0, tokens: int = 0) -> None:
    """Called by model backends: requests started (+1) or ended (-1, ``done=1``), tokens
    received. Counted into the slot of the shard this process runs, if any; lost updates
    between threads only skew the display, never the output."""
    counts = _current
    if counts is not None:
        counts.add_model(in_flight, done, tokens)


def install(counts: LiveCounts | None) -> None:
    """Make ``counts`` the counters this process (and the workers it forks) report into."""
    global _current
    _current = counts


def current() -> LiveCounts | None:
    return _current
