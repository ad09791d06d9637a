"""How the engine cuts a lone shard into parts for several workers (issue #17): the parts
cover the round's candidates without gaps, and never cut a cohort of batched model calls
(the floats of a batched call depend on its members, so a cut cohort changes the bytes)."""

from __future__ import annotations

import itertools

import numpy as np

from synthgen.engine import part_bounds


def _cohort_of(index: int, cohort: int, shard: tuple[int, int]) -> range:
    """The candidates whose model calls share one with ``index``'s in an unsplit shard."""
    base = index // cohort * cohort
    return range(max(shard[0], base), min(shard[1], base + cohort))


def test_parts_cover_the_round_and_hold_whole_cohorts() -> None:
    rng = np.random.default_rng(0)
    for _ in range(3000):
        first = int(rng.integers(0, 200))
        end = first + int(rng.integers(1, 100))
        cohort = int(rng.choice([1, 2, 3, 4, 8]))
        # a round starts at the shard's start or where the last round stopped
        later = (first // cohort + 1) * cohort
        start = later if later < end and rng.random() < 0.5 else first
        want = start + int(rng.integers(1, 80))
        workers = int(rng.integers(1, 6))
        parts = part_bounds(start, want, (first, end), cohort, workers)
        assert parts[0][0] == start and all(a < b for a, b in parts)
        assert all(b == a2 for (_, b), (a2, _) in itertools.pairwise(parts)), parts
        assert len(parts) <= workers
        assert parts[-1][1] >= min(want, end) and parts[-1][1] <= end
        for a, b in parts:
            for index in range(a, b):
                members = _cohort_of(index, cohort, (first, end))
                assert a <= members.start and members.stop <= b, (parts, cohort, index)


def test_without_cohorts_the_parts_are_even() -> None:
    assert part_bounds(0, 40, (0, 64), 1, 2) == [(0, 20), (20, 40)]
    assert part_bounds(0, 5, (0, 64), 1, 2) == [(0, 3), (3, 5)]
    assert part_bounds(60, 90, (0, 64), 1, 3) == [(60, 62), (62, 64)]
