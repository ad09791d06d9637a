"""A local Ray whose start-up times out once (a loaded machine) is started again."""

from __future__ import annotations

from typing import Any

import pytest

import synthgen.executors.ray as ray_executor

TIMEOUT = "The current node timed out during startup. This could happen because ..."


class FakeRay:
    """Stands in for the ``ray`` module: ``init`` fails ``failures`` times, then works."""

    def __init__(self, failures: int, message: str = TIMEOUT) -> None:
        self.failures = failures
        self.message = message
        self.inits = 0
        self.shutdowns = 0

    def is_initialized(self) -> bool:
        return False

    def init(self, **kwargs: Any) -> None:
        self.inits += 1
        if self.inits <= self.failures:
            raise Exception(self.message)

    def shutdown(self) -> None:
        self.shutdowns += 1


def _start(monkeypatch: pytest.MonkeyPatch, fake: FakeRay) -> None:
    monkeypatch.setattr(ray_executor, "_import_ray", lambda: fake)
    ray_executor.RayExecutor(2)


def test_a_start_that_timed_out_is_retried_once(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeRay(failures=1)
    _start(monkeypatch, fake)
    assert (fake.inits, fake.shutdowns) == (2, 1)


def test_a_second_timeout_is_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeRay(failures=2)
    with pytest.raises(Exception, match="timed out during startup"):
        _start(monkeypatch, fake)
    assert fake.inits == 2


def test_other_start_errors_are_not_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeRay(failures=1, message="bad address")
    with pytest.raises(Exception, match="bad address"):
        _start(monkeypatch, fake)
    assert fake.inits == 1
