"""The shared (s, o) pair table of scene graphs stays right when several threads grow it at
once (candidates build graphs concurrently in a model-backed job: synthgen.inflight)."""

from __future__ import annotations

import sys
import threading

import pytest

from synthgen.world import graph


def test_threads_growing_the_pair_table_together_leave_every_pair_in_its_place(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(graph, "_PAIRS", [])
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible: the race shows
    try:
        start = threading.Barrier(8)
        tables = []

        def grow() -> None:
            start.wait()
            for max_id in range(0, 120, 7):
                tables.append(graph._pair_table(max_id))

        threads = [threading.Thread(target=grow) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    table = graph._PAIRS
    assert len(table) == 256 * 120
    assert all(table[s << 8 | o] == (s, o) for s in range(120) for o in range(256))
