"""The live progress line of model-backed jobs: requests in flight, requests/s, tokens/s over
the recent window (synthgen.progress.ModelRates), fed by the engine's model_activity."""

from __future__ import annotations

import pytest

from synthgen import progress
from synthgen.live import LiveCounts


def test_model_rates_over_the_window(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = iter([100.0, 102.0])
    monkeypatch.setattr(progress.time, "perf_counter", lambda: next(clock))
    activity = iter([(0, 0, 0), (96, 300, 45_000)])
    rates = progress.ModelRates(lambda: next(activity))
    assert rates.line() == ""  # nothing sent yet: nothing shown
    assert rates.line() == "model: 96 in flight, 150.0 req/s, 22,500 tok/s"


def test_live_counts_carry_model_activity_of_running_shards_only() -> None:
    counts = LiveCounts()
    counts.begin(3)
    counts.add_model(+2, 0, 0)
    counts.add_model(-1, 1, 120)
    assert counts.model_activity(finished=set()) == (1, 1, 120)
    assert counts.model_activity(finished={3}) == (0, 0, 0)  # its entry counts it now
