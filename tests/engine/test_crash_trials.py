"""Crash trials (bench/crash_trials.py): every kind of interruption, then a rerun, gives the
bytes of an uninterrupted run with nothing left behind. Slow (a minute or more): runs only
with SYNTHGEN_SLOW=1."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    os.environ.get("SYNTHGEN_SLOW") != "1", reason="slow: set SYNTHGEN_SLOW=1 to run"
)

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "crash_trials.py"


def _load_script():
    spec = importlib.util.spec_from_file_location("synthgen_bench_crash_trials", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


def test_every_kind_of_interruption_resumes_to_the_same_bytes(tmp_path: Path) -> None:
    crash = _load_script()
    cfg = crash.Config(program="squares", n=60, shard_size=20, workers=2, seed=0)
    report = crash.run_trials(cfg, list(crash.KINDS), trials=2, tmp=tmp_path)
    assert not report.error, report.error
    assert [len(report.trials[k]) for k in crash.KINDS] == [2] * len(crash.KINDS)
    assert report.ok, report.text()
