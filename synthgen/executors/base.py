"""The executor protocol and its registry."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from typing import Any, ClassVar, TypeVar

from synthgen.registry import Registry

T = TypeVar("T")
R = TypeVar("R")


class WorkerLost(RuntimeError):
    """A worker died (killed, out of memory) while running tasks; they may be retried."""

    def __init__(self, pending: list[Any]) -> None:
        super().__init__(f"a worker died with {len(pending)} task(s) unfinished")
        self.pending = pending


class Executor(ABC):
    """Runs ``fn`` over tasks. Use as a context manager; ``close`` releases workers."""

    name: ClassVar[str]

    def __init__(self, workers: int, address: str | None = None) -> None:
        self.workers = workers
        self.address = address

    @abstractmethod
    def map_unordered(self, fn: Callable[[T], R], tasks: Sequence[T]) -> Iterator[tuple[T, R]]:
        """Yield (task, result) as tasks finish. Closing the iterator early cancels the tasks
        not yet started and waits for running ones. Raises :class:`WorkerLost` (carrying the
        unfinished tasks) if a worker process dies. Any other exception while waiting
        (a signal's :class:`~synthgen.stopping.Stopped`) aborts the workers."""

    @classmethod
    def check_available(cls) -> None:
        """Raise a UserError with an install hint if this executor cannot run here."""
        return None

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release workers (running tasks finish first)."""

    def abort(self) -> None:
        """Stop every worker now, abandoning running tasks (a stopped or failed run).
        Default: :meth:`close`."""
        self.close()

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *rest: object) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


executors: Registry[type[Executor]] = Registry(
    "executor",
    "synthgen.executors",
    builtins=("synthgen.executors.local", "synthgen.executors.ray"),
)
register_executor = executors.register
