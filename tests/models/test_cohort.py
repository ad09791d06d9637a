"""Cohorts (synthgen.models.cohort): local-model calls of concurrent candidates share one
backend call, and which calls share one never depends on thread timing or concurrency.

The candidates here sleep for random (unseeded) times between their calls, run under the
engine's scheduler (``inflight.in_index_order``) at several widths, and record every group the
"backend" ran. The groups must be the same in every run and must be the cohorts the rule
names (consecutive indices, round by round), computed here independently of the module.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from synthgen import inflight
from synthgen.models import cohort

SIZE = 4
N = 14  # three full cohorts and a clipped one


class FakeBackend:
    """Records the payloads of every group it runs; result = payload * 10."""

    def __init__(self) -> None:
        self.groups: list[tuple[str, tuple[Any, ...]]] = []
        self.lock = threading.Lock()
        self.cohort_size = SIZE

    def call(self, op: str, payload: Any) -> Any:
        def run_group(payloads: list[Any]) -> list[Any]:
            with self.lock:
                self.groups.append((op, tuple(payloads)))
            return [(op, p, 10 * p[1]) for p in payloads]

        return cohort.batched(op, payload, run_group)


def candidate(backend: FakeBackend, jitter: random.Random) -> Callable[[int], list[Any]]:
    """Candidate i: A(i), then B(i) only for even i, then A(i) again; random sleeps."""

    def make(i: int) -> list[Any]:
        out = []
        time.sleep(jitter.random() * 0.004)
        out.append(backend.call("A", (i, 1)))
        time.sleep(jitter.random() * 0.004)
        if i % 2 == 0:
            out.append(backend.call("B", (i, 2)))
            time.sleep(jitter.random() * 0.004)
        out.append(backend.call("A", (i, 3)))
        return out

    return make


def expected_groups(start: int, stop: int) -> list[tuple[str, tuple[Any, ...]]]:
    """The rule, spelled out: per cohort, round 1 = every member's A(i, 1); round 2 = B for
    even members and A(i, 3) for odd ones; round 3 = A(i, 3) of the even members."""
    out = []
    for first in range(start // SIZE * SIZE, stop, SIZE):
        members = [i for i in range(first, first + SIZE) if start <= i < stop]
        even = [i for i in members if i % 2 == 0]
        odd = [i for i in members if i % 2]
        out.append(("A", tuple((i, 1) for i in members)))
        if even:
            out.append(("B", tuple((i, 2) for i in even)))
        if odd:
            out.append(("A", tuple((i, 3) for i in odd)))
        if even:
            out.append(("A", tuple((i, 3) for i in even)))
    return out


def run(width: int, start: int = 0, stop: int = N, needed: int | None = None) -> tuple:
    backend = FakeBackend()
    cohorts = cohort.Cohorts(start, stop, SIZE)
    make = cohorts.wrap(candidate(backend, random.Random()))  # unseeded on purpose
    results = list(
        inflight.in_index_order(
            make, start, stop, width, lambda r: True, needed, floor=cohorts.floor
        )
    )
    cohorts.close()
    return results, backend.groups, cohorts.stats


@pytest.mark.parametrize("width", [1, 2, 3, 16])
def test_groups_are_the_rules_cohorts_at_any_width(width: int) -> None:
    results, groups, stats = run(width)
    assert sorted(groups) == sorted(expected_groups(0, N))
    assert results == [
        [("A", (i, 1), 10), *([("B", (i, 2), 20)] if i % 2 == 0 else []), ("A", (i, 3), 30)]
        for i in range(N)
    ]
    assert stats.largest == SIZE and stats.payloads == 3 * N // 2 + N


def test_a_range_not_aligned_to_cohorts_is_clipped() -> None:
    _, groups, _ = run(16, start=6, stop=13)
    assert sorted(groups) == sorted(expected_groups(6, 13))
    assert ("A", ((6, 1), (7, 1))) in groups  # cohort 4..7 holds only 6 and 7 here


def test_a_throttled_scheduler_still_starts_the_waiting_cohort() -> None:
    """``needed=1`` keeps the window at one candidate: without the floor hook candidate 0
    would wait forever for its cohort's other members."""
    done: list[Any] = []
    thread = threading.Thread(target=lambda: done.append(run(8, needed=1)), daemon=True)
    thread.start()
    thread.join(60)
    assert done, "the cohort deadlocked"
    assert sorted(done[0][1]) == sorted(expected_groups(0, N))


def test_closing_early_releases_waiting_members() -> None:
    """The consumer stops after two results while later cohorts wait for members that were
    never started: close() lets them run without those members, nothing hangs."""
    backend = FakeBackend()
    cohorts = cohort.Cohorts(0, None, SIZE)
    make = cohorts.wrap(candidate(backend, random.Random()))
    gate = threading.Event()

    def slow(i: int) -> list[Any]:
        if i == 5:
            gate.wait(10)  # cohort 4..7 is still waiting for 5 when the consumer stops
        return make(i)

    finished = threading.Event()

    def consume() -> None:
        made = inflight.in_index_order(slow, 0, None, 6, lambda r: True, floor=cohorts.floor)
        assert [next(made)[0][1][0] for _ in range(2)] == [0, 1]
        cohorts.close()
        gate.set()
        made.close()
        finished.set()

    thread = threading.Thread(target=consume, daemon=True)
    thread.start()
    assert finished.wait(60), "closing hung"


def test_outside_a_cohort_a_call_runs_alone() -> None:
    backend = FakeBackend()
    assert backend.call("A", (3, 1)) == ("A", (3, 1), 10)
    assert backend.groups == [("A", ((3, 1),))]


def test_an_error_reaches_every_member_of_its_group() -> None:
    def boom(payloads: list[Any]) -> list[Any]:
        raise ValueError(f"bad group of {len(payloads)}")

    cohorts = cohort.Cohorts(0, 2, 2)
    make = cohorts.wrap(lambda i: cohort.batched("x", i, boom))
    made = inflight.in_index_order(make, 0, 2, 2, lambda r: True, floor=cohorts.floor)
    with pytest.raises(ValueError, match="bad group of 2"):
        next(made)


def test_cohort_size_of_backends() -> None:
    class B:
        cohort_size = 8

    assert cohort.cohort_size({"a": object(), "b": B()}) == 8
    assert cohort.cohort_size({}) == 1
