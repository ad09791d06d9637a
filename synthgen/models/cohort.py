"""Cohorts: batch local-model calls (diffusers, CLIP, CLAP) across candidates, deterministically.

The engine runs model-backed candidates in threads (:mod:`synthgen.inflight`); each calls its
backends with its own one or few items. A GPU wants many items per forward pass, so calls of
different candidates should share one pipeline / model call. But batched float kernels are not
batch-invariant: measured on CPU with the tiny test models, a CLIP embedding moves by ~1e-7
and a diffusers image by one 8-bit level when the same item runs in another batch (other
companions, other position, other batch size; GPUs are worse). So which items share a call
must be a function of the job alone, never of thread timing or ``llm.max_concurrency``.

The rule. Candidates are grouped into *cohorts* of ``size`` consecutive indices (``index //
size``, clipped to the range being made). A cohort advances in rounds: every member runs until
it calls a batched backend method (it then blocks) or finishes; when *every* member of the
cohort is blocked or finished (members not yet started are waited for), all the blocked calls
run at once, grouped by call key (same backend, same method, same call parameters), each group
in member index order. The r-th round of a cohort therefore holds each live member's r-th
batched call, whatever the timing: a candidate's sequence of calls depends only on its own
inputs and on the results of earlier rounds. Calls to a chat backend (HTTP, vLLM) are not
rounds: a member waiting for an LLM reply simply is not blocked yet.

So a job gives the same bytes with any concurrency, executor or worker count, as long as the
ranges made are the same (shard boundaries; a shard split mid-cohort would change grouping).
The cost: a cohort waits for its slowest member at every round, and a candidate past the n-th
accepted one still runs when a needed member of its cohort waits for it (at most ``size - 1``
extra candidates per range).

Deadlock freedom needs the scheduler to start every member of a cohort whose members wait:
:meth:`Cohorts.floor` says up to which index candidates must be started (``in_index_order``'s
``floor``), and :meth:`Cohorts.close` releases waiters when the range stops early (members that
never started count as finished).

Outside a cohort (a plain ``produce`` call, a replay, a test) a batched call runs at once with
its own items only. This module imports nothing heavy.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from synthgen.models.loops import waiting

P = TypeVar("P")
R = TypeVar("R")

GroupRunner = Callable[[list[Any]], list[Any]]
"""Runs one group: the members' payloads in index order -> their results in the same order."""

_local = threading.local()


def cohort_size(backends: dict[str, Any]) -> int:
    """Candidates per cohort for a program's backends: the largest ``cohort_size`` any of them
    asks for (a diffusers backend: its ``batch_size``); 1 = no cohorts."""
    sizes = [getattr(b, "cohort_size", 1) for b in backends.values()]
    return max([s for s in sizes if isinstance(s, int)] or [1])


def batched(key: Hashable, payload: P, run_group: Callable[[list[P]], list[R]]) -> R:
    """``run_group([payload])[0]``, except inside a cohort member: then the payload waits for
    the cohort's round and runs in one group with the payloads of the other members that make
    a call with the same ``key`` in that round (see the module docstring)."""
    member = getattr(_local, "member", None)
    if member is None:
        return run_group([payload])[0]
    cohorts, index = member
    return cohorts.submit(index, key, payload, run_group)


@dataclass
class _Call:
    key: Hashable
    payload: Any
    run_group: GroupRunner
    done: bool = False
    result: Any = None
    error: BaseException | None = None


@dataclass
class _Cohort:
    members: range
    left: set[int] = field(default_factory=set)
    waiting: dict[int, _Call] = field(default_factory=dict)

    def ready(self, gone: Callable[[int], bool]) -> bool:
        """Every member blocked in a call, finished, or never going to start."""
        return bool(self.waiting) and all(
            i in self.waiting or i in self.left or gone(i) for i in self.members
        )


@dataclass
class CohortStats:
    """What ran: ``groups`` backend calls, ``items`` payloads in them, ``largest`` group."""

    groups: int = 0
    payloads: int = 0
    largest: int = 0


class Cohorts:
    """The cohorts of one range ``[start, stop)`` (``stop`` None: no end) made by one
    ``in_index_order`` run; see the module docstring."""

    def __init__(self, start: int, stop: int | None, size: int) -> None:
        if size < 1:
            raise ValueError(f"cohort size must be >= 1 (got {size})")
        self.start, self.stop, self.size = start, stop, size
        self._cond = threading.Condition()
        self._cohorts: dict[int, _Cohort] = {}
        self._entered: set[int] = set()
        self._closed = False
        self.stats = CohortStats()

    # -- membership (called by the engine) ------------------------------------------------------

    def wrap(self, make: Callable[[int], R]) -> Callable[[int], R]:
        """``make`` run as a member of its cohort (calls inside it are batched per round)."""

        def member(index: int) -> R:
            joined = self._enter(index)
            try:
                return make(index)
            finally:
                if joined:
                    self._leave(index)

        return member

    def floor(self) -> int:
        """Candidates below this index must be started now: a member of their cohort waits."""
        with self._cond:
            ends = [c.members.stop for c in self._cohorts.values() if c.waiting]
        return max(ends, default=0)

    def close(self) -> None:
        """The range stops early: members that have not started never will (their cohorts
        run without them from now on)."""
        with self._cond:
            self._closed = True
            ready = [c for c in self._cohorts.values() if c.ready(self._gone)]
        for cohort in ready:
            self._fire(cohort)

    # -- calls (through :func:`batched`) --------------------------------------------------------

    def submit(self, index: int, key: Hashable, payload: Any, run_group: GroupRunner) -> Any:
        call = _Call(key, payload, run_group)
        with self._cond:
            cohort = self._cohort(index)
            cohort.waiting[index] = call
            fire = cohort.ready(self._gone)
        with waiting():  # the engine may start other candidates meanwhile
            if fire:
                self._fire(cohort)
            with self._cond:
                while not call.done:
                    self._cond.wait()
        if call.error is not None:
            raise call.error
        return call.result

    # -- internals --------------------------------------------------------------------------

    def _cohort(self, index: int) -> _Cohort:
        first = index // self.size * self.size
        cohort = self._cohorts.get(first)
        if cohort is None:
            last = first + self.size if self.stop is None else min(first + self.size, self.stop)
            cohort = self._cohorts[first] = _Cohort(range(max(first, self.start), last))
        return cohort

    def _gone(self, index: int) -> bool:
        return self._closed and index not in self._entered

    def _enter(self, index: int) -> bool:
        with self._cond:
            if self._closed:
                return False  # started after close: runs its calls alone
            self._entered.add(index)
            self._cohort(index)
        _local.member = (self, index)
        return True

    def _leave(self, index: int) -> None:
        _local.member = None
        with self._cond:
            cohort = self._cohort(index)
            cohort.left.add(index)
            fire = cohort.ready(self._gone)
            if not cohort.waiting and len(cohort.left) == len(cohort.members):
                del self._cohorts[cohort.members.start // self.size * self.size]
        if fire:
            self._fire(cohort)

    def _fire(self, cohort: _Cohort) -> None:
        """Run the round: every waiting call, grouped by key, each group in index order."""
        with self._cond:
            if not cohort.ready(self._gone):
                return  # another thread fired it first
            calls = sorted(cohort.waiting.items())
            cohort.waiting = {}
        groups: dict[Hashable, list[_Call]] = {}
        for _, call in calls:
            groups.setdefault(call.key, []).append(call)
        for group in groups.values():
            try:
                results = group[0].run_group([c.payload for c in group])
                if len(results) != len(group):
                    raise RuntimeError(f"a batched call returned {len(results)} results for "
                                       f"{len(group)} payloads")  # fmt: skip
                for call, result in zip(group, results, strict=True):
                    call.result = result
            except BaseException as exc:  # each member raises it in its own thread
                for call in group:
                    call.error = exc
            with self._cond:
                self.stats.groups += 1
                self.stats.payloads += len(group)
                self.stats.largest = max(self.stats.largest, len(group))
        with self._cond:
            for _, call in calls:
                call.done = True
            self._cond.notify_all()
