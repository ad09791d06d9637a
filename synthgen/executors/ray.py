"""Ray executor: the same shard function as Ray tasks, on a cluster or a local Ray.

``--ray-address`` connects to a running cluster (``auto`` or ``ray://host:port``); without
one a local Ray is started for the run. Every worker must see the output directory (a shared
filesystem on clusters); records are written by the workers, exactly as with the pool.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from synthgen.errors import UserError
from synthgen.executors.base import Executor, WorkerLost, register_executor

T = TypeVar("T")
R = TypeVar("R")

START_ATTEMPTS = 2


def _import_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise UserError("--executor ray needs Ray: pip install 'synthgen[ray]'") from None
    return ray


@register_executor
class RayExecutor(Executor):
    name = "ray"

    @classmethod
    def check_available(cls) -> None:
        _import_ray()

    def __init__(self, workers: int, address: str | None = None) -> None:
        super().__init__(workers, address)
        self._ray = _import_ray()
        self._started_here = False
        if not self._ray.is_initialized():
            kwargs: dict[str, Any] = {
                "ignore_reinit_error": True,
                "log_to_driver": False,
                "include_dashboard": False,
            }
            if address:
                kwargs["address"] = address
                self._ray.init(**kwargs)
            else:
                kwargs["num_cpus"] = workers
                self._start_local(kwargs)
            self._started_here = True

    def _start_local(self, kwargs: dict[str, Any]) -> None:
        """Start a local Ray, once more if the first start times out. Ray waits a fixed 30 s
        for its raylet to register; on a loaded machine that can pass without any fault."""
        for attempt in range(START_ATTEMPTS):
            try:
                self._ray.init(**kwargs)
                return
            except Exception as exc:  # Ray raises a bare Exception for this
                if "timed out during startup" not in str(exc) or attempt + 1 == START_ATTEMPTS:
                    raise
                self._ray.shutdown()

    def map_unordered(self, fn: Callable[[T], R], tasks: Sequence[T]) -> Iterator[tuple[T, R]]:
        ray = self._ray
        remote = ray.remote(max_retries=0)(fn)
        window = max(2, self.workers * 2)
        queue = list(reversed(tasks))
        running: dict[Any, T] = {}
        try:
            while queue or running:
                while queue and len(running) < window:
                    task = queue.pop()
                    running[remote.remote(task)] = task
                done, _ = ray.wait(list(running), num_returns=1)
                for ref in done:
                    task = running.pop(ref)
                    try:
                        result = ray.get(ref)
                    except (ray.exceptions.WorkerCrashedError, ray.exceptions.NodeDiedError) as exc:
                        raise WorkerLost([task, *running.values(), *reversed(queue)]) from exc
                    except ray.exceptions.RayTaskError as exc:
                        raise exc.as_instanceof_cause() from None
                    yield task, result
        except GeneratorExit:  # the caller needs no more results: let running tasks end
            for ref in running:
                ray.cancel(ref)
            if running:
                ray.wait(list(running), num_returns=len(running), timeout=60)
            raise
        except BaseException:  # stopped, or an error: abandon running tasks now
            for ref in running:
                ray.cancel(ref, force=True)
            raise

    def close(self) -> None:
        if self._started_here:
            self._ray.shutdown()
