"""Run a coroutine from synchronous code on this thread's own event loop.

Programs are synchronous and run in process-pool workers; backends are asynchronous. Each
thread gets one long-lived loop (so an HTTP client's connection pool survives between calls)
and a forked child never reuses its parent's loop (its epoll descriptor and sockets belong to
the parent): the loop is keyed on the process id as well as the thread.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

_local = threading.local()


def thread_loop() -> asyncio.AbstractEventLoop:
    """This thread's event loop in this process, created on first use."""
    loop: asyncio.AbstractEventLoop | None = getattr(_local, "loop", None)
    if loop is None or loop.is_closed() or getattr(_local, "pid", None) != os.getpid():
        loop = asyncio.new_event_loop()
        _local.loop = loop
        _local.pid = os.getpid()
    return loop


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` to completion on this thread's loop and return its result.

    Raises RuntimeError when called from inside a running event loop (``await`` there instead:
    blocking the loop on itself would deadlock).
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
    return thread_loop().run_until_complete(coro)
