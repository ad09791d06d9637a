"""Local executor: in-process for one worker, a process pool otherwise.

The pool uses ``fork`` where available so programs registered in the calling process (a
notebook, a test) exist in the workers too; elsewhere ``spawn`` with entry points.

Workers never outlive the parent and never keep the dataset lock (see
:mod:`synthgen.stopping` and :func:`synthgen.fsutil.dataset_lock`). When the run stops (a
signal, an error), :meth:`LocalExecutor.abort` terminates the workers instead of waiting for
their shards: a terminated shard removes its temporary files and the engine redoes it on
resume.

A forked child of a process that has already run torch on the CPU deadlocks in its first
parallel kernel (the OpenMP thread pool it inherits has no threads). Workers therefore start
with ``torch.set_num_threads(1)`` when torch is loaded, which runs kernels inline; one thread
per worker process is also what avoids oversubscribing the cores.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

from synthgen.executors.base import Executor, WorkerLost, register_executor
from synthgen.stopping import init_worker, run_task

T = TypeVar("T")
R = TypeVar("R")


TERMINATE_GRACE_S = 10.0
"""How long terminated workers get to abort their shard before they are killed."""


def _init_worker(parent_pid: int) -> None:
    """Runs first in each pool process (see the module docstring)."""
    init_worker(parent_pid)
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_num_threads(1)


@register_executor
class LocalExecutor(Executor):
    name = "local"

    def __init__(self, workers: int, address: str | None = None) -> None:
        super().__init__(workers, address)
        self._pool: ProcessPoolExecutor | None = None

    def _get_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            methods = multiprocessing.get_all_start_methods()
            ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=ctx,
                initializer=_init_worker,
                initargs=(os.getpid(),),
            )
        return self._pool

    def map_unordered(self, fn: Callable[[T], R], tasks: Sequence[T]) -> Iterator[tuple[T, R]]:
        if self.workers <= 1:
            for task in tasks:
                yield task, fn(task)
            return
        pool = self._get_pool()
        # Keep a bounded window in flight so early stop wastes little and memory stays flat.
        window = self.workers * 2
        queue = list(reversed(tasks))
        running: dict[Future, T] = {}
        try:
            while queue or running:
                while queue and len(running) < window:
                    task = queue.pop()
                    running[pool.submit(run_task, fn, task)] = task
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in sorted(done, key=lambda f: id(f)):
                    task = running.pop(future)
                    try:
                        result = future.result()
                    except BrokenProcessPool:
                        self._discard_pool()
                        raise WorkerLost([task, *running.values(), *reversed(queue)]) from None
                    yield task, result
        except GeneratorExit:  # the caller needs no more results: let running shards finish
            for future in running:
                future.cancel()
            if running:
                wait(running)
            raise
        except BaseException:  # stopped, or an error: do not wait for shards nobody will use
            self.abort()
            raise

    def _discard_pool(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def abort(self) -> None:
        """Terminate every worker now (SIGTERM, then SIGKILL after a grace period)."""
        if self._pool is None:
            return
        processes = list((self._pool._processes or {}).values())
        for process in processes:
            if process.is_alive():
                process.terminate()
        deadline = time.monotonic() + TERMINATE_GRACE_S
        for process in processes:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join()
        self._discard_pool()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
