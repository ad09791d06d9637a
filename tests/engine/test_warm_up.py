"""``Program.warm_up``: the job's process builds the per-machine caches once before its local
workers start (N cold svg workers each built the QA balance tables: ~20 CPU-s and 2-3 GB
apiece), and the suite's warm-up drops the calibration graphs afterwards."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import synthgen
from synthgen.generators.squares import Squares

ARGS = {"n": 12, "seed": 3, "shard_size": 4}


@pytest.mark.parametrize(("workers", "calls"), [(2, 1), (1, 0)])
def test_warm_up_runs_once_in_the_job_process_before_local_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int, calls: int
) -> None:
    seen: list[tuple[int, object]] = []
    monkeypatch.setattr(
        Squares, "warm_up", classmethod(lambda cls, config: seen.append((os.getpid(), config)))
    )
    synthgen.make("squares", out=tmp_path / "d", workers=workers, **ARGS)
    assert len(seen) == calls
    for pid, config in seen:
        assert pid == os.getpid() and isinstance(config, Squares.Config)


def test_warm_up_is_skipped_when_nothing_is_left_to_make(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synthgen.make("squares", out=tmp_path / "d", workers=2, **ARGS)
    seen: list[object] = []
    monkeypatch.setattr(Squares, "warm_up", classmethod(lambda cls, config: seen.append(config)))
    synthgen.make("squares", out=tmp_path / "d", workers=2, **ARGS)  # complete: a resume
    assert seen == []


def test_suite_warm_fills_the_tables_and_drops_the_graphs() -> None:
    from synthgen.generators.qa import QAConfig, QASuite
    from synthgen.generators.qa import balance as B

    suite = QASuite(QAConfig(kinds=("count", "leftmost", "negation_exists")))
    for kind in suite.kinds:
        B._CACHE.pop((type(kind).name, type(kind).version, suite.balancer._world_key), None)
    suite.warm()
    balanced = [k for k in suite.kinds if k.balance]
    assert balanced
    for kind in balanced:
        assert (type(kind).name, type(kind).version, suite.balancer._world_key) in B._CACHE
    assert B.calibration_graphs.cache_info().currsize == 0
