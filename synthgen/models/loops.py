"""Run a coroutine from synchronous code on this process's one model event loop.

Programs are synchronous and run in process-pool workers; backends are asynchronous. Every
synchronous call (``chat_sync``, ``chat_many_sync``), from whichever thread, runs on *one*
long-lived event loop per process, served by a daemon thread. That is what lets the engine
run many candidates at once in threads (:mod:`synthgen.inflight`) while a backend still holds
one connection pool and one ``max_concurrency`` bound for all of them, and what lets the
in-process vLLM backend gather the requests of all candidates into one batch.

A forked child never reuses its parent's loop (its epoll descriptor, sockets and thread
belong to the parent): the loop is keyed on the process id.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from collections.abc import Coroutine, Iterator
from typing import Any, TypeVar

T = TypeVar("T")

_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None
_pid: int | None = None
_thread: threading.Thread | None = None


wait_hook = threading.local()
"""``wait_hook.callback``, when a thread sets it, is called (no arguments) each time that
thread is about to wait for the model loop (or for a batched call's cohort round,
:mod:`synthgen.models.cohort`), and ``wait_hook.resumed``, when set, each time it stops
waiting: the engine learns which candidates are waiting on a model and which use the CPU
(see :mod:`synthgen.inflight`)."""


@contextlib.contextmanager
def waiting() -> Iterator[None]:
    """Around a thread's wait for a model: calls the thread's ``wait_hook`` callbacks."""
    callback = getattr(wait_hook, "callback", None)
    if callback is not None:
        callback()
    try:
        yield
    finally:
        resumed = getattr(wait_hook, "resumed", None)
        if resumed is not None:
            resumed()


def _serve(loop: asyncio.AbstractEventLoop) -> None:
    asyncio.set_event_loop(loop)
    loop.run_forever()


def model_loop() -> asyncio.AbstractEventLoop:
    """This process's model event loop, started (in a daemon thread) on first use."""
    global _loop, _pid, _thread
    with _lock:
        if _loop is None or _pid != os.getpid() or _loop.is_closed():
            _loop = asyncio.new_event_loop()
            _pid = os.getpid()
            _thread = threading.Thread(
                target=_serve, args=(_loop,), name="synthgen-model-loop", daemon=True
            )
            _thread.start()
        return _loop


def thread_loop() -> asyncio.AbstractEventLoop:
    """Kept for callers of the old name: the process's model loop."""
    return model_loop()


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` to completion on the model loop and return its result (or raise its
    exception), blocking the calling thread only.

    Raises RuntimeError when called from inside a running event loop (``await`` there instead:
    blocking a loop on itself, or on the model loop from the model loop, would deadlock).
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        coro.close()
        raise RuntimeError(
            "a *_sync backend method was called inside a running event loop: await the async "
            "method instead (e.g. `await backend.chat(request)`)"
        )
    future = asyncio.run_coroutine_threadsafe(coro, model_loop())
    with waiting():
        return future.result()
