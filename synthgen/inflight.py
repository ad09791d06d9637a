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
candidates are started ahead (the rate measured on the candidates yielded so far, starting
from 1; the count rounded, not raised), so candidates past the n-th accepted one rarely spend
a model call; a reject among the last ones costs one more round instead.

Candidates ahead. A candidate does CPU work (rendering, synthesis, QA) before its request
and after the reply. With only ``width`` candidates started, those in their CPU phases were
not waiting on the server, so fewer than ``width`` requests were in flight, and whenever a
round of replies came back at once the next round's requests trickled out one CPU phase
after another (the server saw 80-125 of 128 in flight at 2 s latency in
``bench/llm_programs.py``). So up to :func:`window_for` ``(width)`` candidates are started
(``busy()`` still stops new starts once a full round of requests waits for a slot): the
reserve beyond ``width`` does its CPU work while the earlier candidates' requests are in
flight, and its requests wait at the backend, ready the moment a slot frees. Which
candidates wait on a model is known through :data:`synthgen.models.loops.wait_hook`; no
candidate starts while :data:`AHEAD` of them use the CPU (not waiting on a model): more
threads fighting for one interpreter would only delay each other's requests (with 128
threads rendering at once, the first request leaves after all 128 renders).

The first candidate of a range runs alone until it finishes or first waits for a model reply:
what a program builds lazily on first use (QA balance tables, world assets, fonts) is then
built once, not by every thread at the same time.
"""

from __future__ import annotations

import functools
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

AHEAD = 8
"""No candidate starts while this many started ones use the CPU (not waiting on a model),
except the candidate whose turn it is and cohort members others wait for."""

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


def window_for(width: int) -> int:
    """Candidates started and not yet yielded at most, for ``width`` requests in flight:
    ``width`` waiting on replies plus a reserve (at least :data:`AHEAD`, a quarter of
    ``width`` for wide windows) doing their CPU work or with a request ready at the backend."""
    return width + max(AHEAD, width // 4)


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
    """``make(i)`` for i = start, start + 1, ... (``stop`` excluded; None: no end), yielded in
    index order. ``width`` is how many requests the model backends keep in flight: up to
    :func:`window_for` ``(width)`` candidates are started and not yet yielded at once
    (finished results waiting for an earlier index count too, so memory stays bounded); none
    starts while :data:`AHEAD` of them use the CPU (not waiting on a model: see the module
    docstring).

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
    stats = {"running": 0, "waiting": 0, "finished": 0, "accepted": 0, "first_waits": 0}
    prefix = {"yielded": 0, "accepted": 0}
    window = window_for(width)

    def waits() -> None:
        with cond:
            stats["waiting"] += 1
            stats["first_waits"] = 1
            cond.notify_all()

    def resumed() -> None:
        with cond:
            stats["waiting"] -= 1

    def task(index: int) -> T:
        wait_hook.callback, wait_hook.resumed = waits, resumed
        try:
            return make(index)
        finally:
            wait_hook.callback = wait_hook.resumed = None

    pending: dict[int, Future[T]] = {}
    next_index = start

    def limit() -> int:
        if stats["finished"] == 0 and not stats["first_waits"]:
            return 1  # the first candidate goes alone: see the module docstring
        if stats["running"] - stats["waiting"] >= AHEAD:
            return 0  # enough candidates use the CPU already
        if needed is None:
            return window
        missing = needed - stats["accepted"]
        if missing <= 0:
            return 0
        rate = (prefix["accepted"] + 1) / (prefix["yielded"] + 1)
        # the expected count, rounded: ceil would start one spare candidate whenever a
        # reject was ever seen (missing 1 at rate 0.96: 2), a wasted call at each job's end
        return max(1, min(window, round(missing / rate)))

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
            or (stats["running"] < limit() and next_index - current < window and not busy())
        ):
            index = next_index
            stats["running"] += 1
            future = submit(functools.partial(task, index), max(window, stats["running"]))
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
