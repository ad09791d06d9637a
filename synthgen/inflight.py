"""Candidates in flight: keep a model server busy with many candidates at once.

A model-backed candidate spends most of its time waiting for replies. Run one after another,
a worker would keep only one candidate's handful of requests in flight, and a vLLM server
(which needs hundreds of concurrent sequences) would idle. So for a program with a chat
backend the engine runs up to ``llm.max_concurrency`` candidates at the same time, each in a
thread of this module's pool; their synchronous model calls all go to the process's one model
event loop (:mod:`synthgen.models.loops`), where the backend bounds the requests in flight.
Programs stay plain synchronous code: nothing in a program changes.

Bytes do not depend on any of this. Each candidate is computed from its own context alone
(RNG from (seed, index), its own lineage, counters and timings), replies are matched to their
requests by the backend, never to arrival order, and :func:`in_index_order` hands the results
back strictly in index order, so the consumer sees exactly what a one-at-a-time run gives.

No wasted calls. When the consumer says how many more accepted candidates it needs
(``needed``, the frontier shard's ``max_accepted``), at most about ``needed / accept rate``
candidates are started ahead (the rate measured on the candidates finished so far, starting
from 1), so candidates past the n-th accepted one rarely spend a model call.

The first candidate of a range runs alone until it finishes or first waits for a model reply
(:data:`synthgen.models.loops.wait_hook`): what a program builds lazily on first use (QA
balance tables, world assets, fonts) is then built once, not by every thread at the same time.
"""

from __future__ import annotations

import functools
import math
import os
import queue
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from typing import TypeVar

from synthgen.models.loops import wait_hook

T = TypeVar("T")

BUSY_POLL_S = 0.02
"""How often a waiting window looks again whether the backends are still busy."""

_lock = threading.Lock()
_queue: queue.SimpleQueue[tuple[Future, Callable[[], object]]] = queue.SimpleQueue()
_threads: list[threading.Thread] = []
_pid = os.getpid()


def _work() -> None:
    while True:
        future, fn = _queue.get()
        if not future.set_running_or_notify_cancel():
            continue
        try:
            future.set_result(fn())
        except BaseException as exc:  # handed to the consumer, raised there
            future.set_exception(exc)


def submit(fn: Callable[[], T], threads: int) -> Future[T]:
    """Run ``fn`` on the process's candidate pool, which grows to at least ``threads``
    daemon threads (daemon: a stopped job never waits at exit for a stalled server)."""
    global _queue, _pid
    with _lock:
        if _pid != os.getpid():  # a forked child: the parent's threads are not here
            _threads.clear()
            _queue = queue.SimpleQueue()
            _pid = os.getpid()
        while len(_threads) < threads:
            thread = threading.Thread(target=_work, name="synthgen-candidate", daemon=True)
            thread.start()
            _threads.append(thread)
        future: Future[T] = Future()
        _queue.put((future, fn))
    return future


def in_index_order(
    make: Callable[[int], T],
    start: int,
    stop: int | None,
    width: int,
    accepted: Callable[[T], bool],
    needed: int | None = None,
    busy: Callable[[], bool] = lambda: False,
    floor: Callable[[], int] = lambda: 0,
) -> Iterator[T]:
    """``make(i)`` for i = start, start + 1, ... (``stop`` excluded; None: no end), run up to
    ``width`` at a time (started and not yet yielded: finished results waiting for an earlier
    index count too, so memory stays bounded), yielded in index order.

    ``needed``: the consumer stops after this many results for which ``accepted`` is true;
    the window then stays near ``needed / accept rate`` candidates (see the module docstring),
    the rate measured on the results yielded so far (a prefix in index order: the candidates
    that finish first are often the quick rejects, which would make the rate look low).
    ``busy()`` true (the model backends already hold more requests than they send at once):
    no new candidate starts until it is false again (more would only wait, and may be
    wasted).
    Indices below ``floor()`` start whatever the limits (a member of their cohort waits for
    them: :mod:`synthgen.models.cohort`).
    An exception raised by ``make(i)`` is raised when index ``i``'s turn comes. Closing the
    iterator early waits for the candidates already started (their accounting belongs to
    this run), unless it closes because of an error.
    """
    cond = threading.Condition()
    stats = {"running": 0, "finished": 0, "accepted": 0, "first_waits": 0}
    prefix = {"yielded": 0, "accepted": 0}

    def first_waits() -> None:
        with cond:
            stats["first_waits"] = 1
            cond.notify_all()

    def first(index: int) -> T:
        wait_hook.callback = first_waits
        try:
            return make(index)
        finally:
            wait_hook.callback = None

    pending: dict[int, Future[T]] = {}
    next_index = start

    def limit() -> int:
        if stats["finished"] == 0 and not stats["first_waits"]:
            return 1  # the first candidate goes alone: see the module docstring
        if needed is None:
            return width
        missing = needed - stats["accepted"]
        if missing <= 0:
            return 0
        rate = (prefix["accepted"] + 1) / (prefix["yielded"] + 1)
        return max(1, min(width, math.ceil(missing / rate)))

    def done(future: Future[T]) -> None:
        with cond:
            stats["running"] -= 1
            stats["finished"] += 1
            if not future.cancelled() and future.exception() is None and accepted(future.result()):
                stats["accepted"] += 1
            cond.notify_all()

    def fill(current: int) -> None:
        nonlocal next_index
        while (stop is None or next_index < stop) and (
            next_index <= current
            or next_index < floor()
            or (stats["running"] < limit() and next_index - current < width and not busy())
        ):
            index = next_index
            stats["running"] += 1
            task = first if index == start else make
            future = submit(functools.partial(task, index), max(width, stats["running"]))
            pending[index] = future
            next_index += 1
            future.add_done_callback(done)

    current = start
    clean = False
    try:
        while stop is None or current < stop:
            with cond:
                while True:
                    fill(current)  # the candidate whose turn it is always runs
                    if pending[current].done():
                        break
                    cond.wait(BUSY_POLL_S)
            result = pending.pop(current).result()
            current += 1
            prefix["yielded"] += 1
            prefix["accepted"] += accepted(result)
            yield result
        clean = True
    except GeneratorExit:
        clean = True
        raise
    finally:
        for future in pending.values():
            future.cancel()
        if clean:
            for future in pending.values():
                if not future.cancelled():
                    future.exception()  # waits; never raises for a settled future
